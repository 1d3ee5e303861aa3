import type { Role } from '@tessera/contract';
import type { AccountSteps } from '../accounts/steps';
import type { EmailTokenPurpose } from '../mailed-links/email-tokens';
import type { MailedLinkSteps } from '../mailed-links/steps';
import type { SessionSteps } from '../sessions/steps';
import type { Step } from '../store/step';

/**
 * The tables that hold an account's personal rows, each with a `user_id`: deleting an account
 * empties them for it at once (the user's row and ended sessions follow a day later, when
 * housekeeping deletes the row and they cascade).
 */
export const PERSONAL_TABLES = [
  'passkeys',
  'recoveryCodes',
  'identities',
  'emailTokens',
  'webauthnChallenges',
  'oauthRequests',
  'pendingSignIns',
  'authEvents',
] as const;
export type PersonalTable = (typeof PERSONAL_TABLES)[number];

/** An account's row as the deletion reads it, a deleted one too. */
export interface AccountRow {
  id: string;
  email: string;
  role: Role;
  emailVerifiedAt: number | null;
  deletedAt: number | null;
}

/**
 * The statements the account's life (operations.ts: an address changed, its change undone, the
 * account deleted) is written over: the sessions' and mailed links' own steps, and a few of its
 * own. `engines/sqlite/account-life.ts` and `engines/postgres/account-life.ts` supply them.
 */
export interface AccountLifeSteps {
  sessions: SessionSteps;
  links: MailedLinkSteps;
  accounts: AccountSteps;
  /** The account's row, locked for the transaction (PostgreSQL: `FOR UPDATE`). */
  lockAccount(userId: string): Step<AccountRow | undefined>;
  /**
   * The ids of every admin not deleted, each row locked, in id order (PostgreSQL: `FOR UPDATE`):
   * two deletions of admins queue here, so the second sees the first.
   */
  lockAdmins(): Step<string[]>;
  /**
   * Takes the address for the rest of the transaction: two accounts moving to one address queue
   * here, and the second sees the first's (PostgreSQL: a transaction-scoped advisory lock on the
   * address; SQLite: the IMMEDIATE transaction holds it already). A sign-up does not take it: the
   * unique address then refuses whichever commits second.
   */
  lockAddress(address: string): Step<void>;
  /** Supersedes the user's usable mailed tokens, but those of the `kept` purposes. */
  supersedeTokensOf(userId: string, now: number, kept: readonly EmailTokenPurpose[]): Step<void>;
  /** Ends every live session of the user but `keptSessionId`: the ids it ended. */
  endSessionsBut(userId: string, keptSessionId: string, now: number, reason: string): Step<Array<{ id: string }>>;
  /** Deletes the user's rows of the table. */
  deleteRowsOf(table: PersonalTable, userId: string): Step<void>;
  /** The addresses the user's mailed links name (a new address to confirm, an old one to restore). */
  addressesOfLinks(userId: string): Step<string[]>;
  /** Deletes every outbox row to these addresses, sent or waiting. */
  deleteMailTo(recipients: readonly string[]): Step<void>;
  /**
   * Strips the account (see `accountStripped`): no address, name, password, second factor or
   * role is left, the stamp moves on, and `deleted_at` is set.
   */
  stripAccount(userId: string, now: number): Step<void>;
}
