import { pgSchema } from '@tessera/db';
import { count, eq } from 'drizzle-orm';
import { oldestPasskeysFirst, passkeyOf, passkeyUse } from '../../passkeys/passkeys';
import type { PasskeySteps } from '../../passkeys/steps';
import { liveSession } from '../../sessions/fragments';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { changed, firstRow, run } from './statement-steps';

const { passkeys, users, sessions, webauthnChallenges } = pgSchema;

/**
 * The passkey steps on PostgreSQL. The user's row is locked (`FOR UPDATE`) where SQLite's
 * IMMEDIATE transaction would hold the lock: an insert or removal and a credential change queue.
 */
export function pgPasskeySteps(q: PgQueryable): PasskeySteps {
  return {
    lockUser: (userId) =>
      firstRow(q.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).for('update')),
    liveSession: (session, now) =>
      firstRow(
        q
          .select({ id: sessions.id })
          .from(sessions)
          .where(liveSession(sessions, session, now)),
      ),
    countPasskeys: function* (userId) {
      return (yield* firstRow(q.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId))))?.n ?? 0;
    },
    insertPasskey: (row) => changed(q.insert(passkeys).values(row).onConflictDoNothing()),
    ownPasskey: (key) => firstRow(q.select({ id: passkeys.id }).from(passkeys).where(passkeyOf(passkeys, key))),
    deletePasskey: (key) => run(q.delete(passkeys).where(passkeyOf(passkeys, key))),
    passkeysOf: (userId) =>
      awaited(
        q
          .select()
          .from(passkeys)
          .where(eq(passkeys.userId, userId))
          .orderBy(...oldestPasskeysFirst(passkeys)),
      ),
    passkeyByCredentialId: (credentialId) =>
      firstRow(q.select().from(passkeys).where(eq(passkeys.credentialId, credentialId))),
    advanceCounter: (use, now) => {
      const { set, where } = passkeyUse(passkeys, use, now);
      return changed(q.update(passkeys).set(set).where(where));
    },
    insertChallenge: (row) => run(q.insert(webauthnChallenges).values(row)),
    takeChallenge: (hash) =>
      firstRow(q.delete(webauthnChallenges).where(eq(webauthnChallenges.challengeHash, hash)).returning()),
  };
}
