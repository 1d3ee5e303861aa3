import type { Role, User } from '@tessera/contract';
import { users } from '@tessera/db';
import { userColumnsOf } from './fragments';

/** What a client may see of a user (never the password hash): the contract's User. */
export type { User };

/**
 * The columns a client may see, on SQLite's `users`. Transitional: sessions/sessions.ts still
 * selects with it; engine code uses `userColumnsOf(table)` (fragments.ts), and this goes (with
 * its table import) when the session rules move to the engines' steps.
 */
export const userColumns = userColumnsOf(users);

/** A user's row as the accounts read it. */
export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerifiedAt: number | null;
}

/** A user row as clients see it. */
export function toUser(row: UserRecord): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerifiedAt !== null };
}

/**
 * What a password sign-in checks: the stored hash, and the security stamp read with it, which
 * must not have moved when the session starts (`startSession`).
 */
export interface StoredCredential {
  passwordHash: string;
  credentialVersion: number;
}
