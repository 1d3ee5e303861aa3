import { identities, oauthRequests, type TesseraDb, users } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { identityOfSubject, oldestIdentitiesFirst, ownIdentity } from '../../identities/fragments';
import type { IdentitySteps } from '../../identities/steps';
import { immediate } from '../../store/step';
import { sqlitePasskeySteps } from './passkeys';

/** The identity steps on SQLite: the IMMEDIATE transaction around a rule is its lock. */
export function sqliteIdentitySteps(db: TesseraDb): IdentitySteps {
  const passkeySteps = sqlitePasskeySteps(db);
  return {
    insertRequest: (row) => immediate(() => void db.insert(oauthRequests).values(row).run()),
    takeRequest: (stateHash) =>
      immediate(() => db.delete(oauthRequests).where(eq(oauthRequests.stateHash, stateHash)).returning().get()),
    identityBySubject: (provider, subject) =>
      immediate(() =>
        db
          .select()
          .from(identities)
          .where(identityOfSubject(identities, provider, subject))
          .get(),
      ),
    lockUser: (userId) =>
      immediate(() =>
        db
          .select({ passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
          .from(users)
          .where(eq(users.id, userId))
          .get(),
      ),
    userIdByEmail: (email) =>
      immediate(() => db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()?.id),
    insertUser: (row) => immediate(() => db.insert(users).values(row).onConflictDoNothing().run().changes),
    insertIdentity: (row) => immediate(() => db.insert(identities).values(row).onConflictDoNothing().run().changes),
    touchIdentity: (id, now) =>
      immediate(() => void db.update(identities).set({ lastUsedAt: now }).where(eq(identities.id, id)).run()),
    identitiesOf: (userId) =>
      immediate(() =>
        db
          .select()
          .from(identities)
          .where(eq(identities.userId, userId))
          .orderBy(...oldestIdentitiesFirst(identities))
          .all(),
      ),
    deleteIdentity: (identity) =>
      immediate(() => db.delete(identities).where(ownIdentity(identities, identity)).run().changes),
    // The last-way-in and live-session checks are the passkeys' own statements.
    countPasskeys: passkeySteps.countPasskeys,
    liveSession: passkeySteps.liveSession,
  };
}
