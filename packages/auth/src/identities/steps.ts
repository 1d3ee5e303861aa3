import type { PasskeySteps } from '../passkeys/steps';
import type { Step } from '../store/step';
import type { IdentityRecord, IdentityRow, OAuthRequestRow } from './identities';

/** A new account made by a provider's sign-in: no password, the address verified if the provider said so. */
export interface ProvidedUserRow {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  createdAt: number;
  emailVerifiedAt: number | null;
}

/**
 * The single statements the identity rules (operations.ts) are written over;
 * `engines/sqlite/identities.ts` and `engines/postgres/identities.ts` supply them.
 */
export interface IdentitySteps extends Pick<PasskeySteps, 'countPasskeys' | 'liveSession'> {
  insertRequest(row: OAuthRequestRow): Step<void>;
  /** Deletes the request and returns it, whatever else is checked after: of two answers, one gets it. */
  takeRequest(stateHash: string): Step<OAuthRequestRow | undefined>;
  identityBySubject(provider: string, subject: string): Step<IdentityRecord | undefined>;
  /**
   * The user's row, locked for the rest of the transaction (PostgreSQL: `FOR UPDATE`): a credential
   * change and a link or removal queue, as for passkeys.
   */
  lockUser(userId: string): Step<{ passwordHash: string; credentialVersion: number } | undefined>;
  userIdByEmail(email: string): Step<string | undefined>;
  /** Inserts the user unless the address is taken: rows inserted. */
  insertUser(row: ProvidedUserRow): Step<number>;
  /** Inserts the identity unless (provider, subject) is linked already: rows inserted. */
  insertIdentity(row: IdentityRow): Step<number>;
  touchIdentity(id: string, now: number): Step<void>;
  identitiesOf(userId: string): Step<IdentityRecord[]>;
  deleteIdentity(identity: { id: string; userId: string }): Step<number>;
}
