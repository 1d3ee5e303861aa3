import type { Step } from '../store/step';
import type { UserOverviewRow, UsersCursor } from './admin';
import type { AuthEventRecord } from './events';
import type { AuthEventRow, NewUserRow } from './fragments';
import type { StoredCredential, UserRecord } from './users';

/**
 * The single statements the account operations (operations.ts) are written over;
 * `engines/sqlite/accounts.ts` and `engines/postgres/accounts.ts` supply them.
 */
export interface AccountSteps {
  /** Who holds a live undo link that would put this address back on their account, if anyone. */
  undoHolderOf(address: string, now: number): Step<string | undefined>;
  /** Inserts the user unless the address (or id) is taken: how many rows it inserted (0 or 1). */
  insertUser(row: NewUserRow): Step<number>;
  userByEmail(email: string): Step<(UserRecord & StoredCredential) | undefined>;
  userById(id: string): Step<UserRecord | undefined>;
  credential(userId: string): Step<StoredCredential | undefined>;
  /** Up to `rows` accounts after `after`, newest first, each with its live sessions at `now`. */
  usersPage(after: UsersCursor | null, rows: number, now: number): Step<UserOverviewRow[]>;
  insertEvent(row: AuthEventRow): Step<void>;
  /** The user's latest `limit` events, newest first. */
  recentEvents(userId: string, limit: number): Step<AuthEventRecord[]>;
}
