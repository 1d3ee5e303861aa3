import { passkeys, sessions, type TesseraDb, users, webauthnChallenges } from '@tessera/db';
import { count, eq } from 'drizzle-orm';
import { oldestPasskeysFirst, passkeyOf, passkeyUse } from '../../passkeys/passkeys';
import type { PasskeySteps } from '../../passkeys/steps';
import { liveSession } from '../../sessions/fragments';
import { immediate } from '../../store/step';

/** The passkey steps on SQLite: the IMMEDIATE transaction around a rule is its lock. */
export function sqlitePasskeySteps(db: TesseraDb): PasskeySteps {
  return {
    lockUser: (userId) =>
      immediate(() => db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).get()),
    liveSession: (session, now) =>
      immediate(() =>
        db
          .select({ id: sessions.id })
          .from(sessions)
          .where(liveSession(sessions, session, now))
          .get(),
      ),
    countPasskeys: (userId) =>
      immediate(() => db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)).get()?.n ?? 0),
    insertPasskey: (row) => immediate(() => db.insert(passkeys).values(row).onConflictDoNothing().run().changes),
    ownPasskey: (key) =>
      immediate(() => db.select({ id: passkeys.id }).from(passkeys).where(passkeyOf(passkeys, key)).get()),
    deletePasskey: (key) => immediate(() => void db.delete(passkeys).where(passkeyOf(passkeys, key)).run()),
    passkeysOf: (userId) =>
      immediate(() =>
        db
          .select()
          .from(passkeys)
          .where(eq(passkeys.userId, userId))
          .orderBy(...oldestPasskeysFirst(passkeys))
          .all(),
      ),
    passkeyByCredentialId: (credentialId) =>
      immediate(() => db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get()),
    advanceCounter: (use, now) => {
      const { set, where } = passkeyUse(passkeys, use, now);
      return immediate(() => db.update(passkeys).set(set).where(where).run().changes);
    },
    insertChallenge: (row) => immediate(() => void db.insert(webauthnChallenges).values(row).run()),
    takeChallenge: (hash) =>
      immediate(() =>
        db.delete(webauthnChallenges).where(eq(webauthnChallenges.challengeHash, hash)).returning().get(),
      ),
  };
}
