import { pgSchema } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { identityOfSubject, oldestIdentitiesFirst, ownIdentity } from '../../identities/fragments';
import type { IdentitySteps } from '../../identities/steps';
import { awaited } from '../../store/step';
import type { PgQueryable, PgStepsOn } from './engine';
import { pgPasskeySteps } from './passkeys';
import { changed, firstRow, run } from './statement-steps';

const { identities, oauthRequests, users } = pgSchema;

/**
 * The identity steps on PostgreSQL. In a transaction the user's row is locked (`FOR UPDATE`) where
 * SQLite's IMMEDIATE transaction would hold the lock: a link or a removal and a credential change queue.
 */
export const pgIdentitySteps: PgStepsOn<IdentitySteps> = (q: PgQueryable, inTransaction: boolean) => {
  const passkeySteps = pgPasskeySteps(q);
  return {
    insertRequest: (row) => run(q.insert(oauthRequests).values(row)),
    takeRequest: (stateHash) =>
      firstRow(q.delete(oauthRequests).where(eq(oauthRequests.stateHash, stateHash)).returning()),
    identityBySubject: (provider, subject) =>
      firstRow(
        q
          .select()
          .from(identities)
          .where(identityOfSubject(identities, provider, subject)),
      ),
    lockUser: (userId) => {
      const read = q
        .select({ passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
        .from(users)
        .where(eq(users.id, userId));
      return firstRow(inTransaction ? read.for('update') : read);
    },
    userIdByEmail: function* (email) {
      return (yield* firstRow(q.select({ id: users.id }).from(users).where(eq(users.email, email))))?.id;
    },
    insertUser: (row) => changed(q.insert(users).values(row).onConflictDoNothing()),
    insertIdentity: (row) => changed(q.insert(identities).values(row).onConflictDoNothing()),
    touchIdentity: (id, now) => run(q.update(identities).set({ lastUsedAt: now }).where(eq(identities.id, id))),
    identitiesOf: (userId) =>
      awaited(
        q
          .select()
          .from(identities)
          .where(eq(identities.userId, userId))
          .orderBy(...oldestIdentitiesFirst(identities)),
      ),
    deleteIdentity: (identity) => changed(q.delete(identities).where(ownIdentity(identities, identity))),
    // The last-way-in and live-session checks are the passkeys' own statements.
    countPasskeys: passkeySteps.countPasskeys,
    liveSession: passkeySteps.liveSession,
  };
};
