import type { Role, User } from '@tessera/contract';
import type { Column } from 'drizzle-orm';

/** What a client may see of a user (never the password hash): the contract's User. */
export type { User };

/** The columns of `users` that a client may see, on any engine's table. */
export interface UserColumns {
  id: Column;
  email: Column;
  name: Column;
  role: Column;
  emailVerifiedAt: Column;
  totpEnabledAt: Column;
}

/** The columns a client may see, as `toUser` reads them, of any engine's users table (their types kept). */
export const userSelection = <U extends UserColumns>(u: U): Pick<U, keyof UserColumns> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  emailVerifiedAt: u.emailVerifiedAt,
  totpEnabledAt: u.totpEnabledAt,
});

/** A user's row as the accounts read it. */
export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerifiedAt: number | null;
  /** When two-step verification was turned on (a TOTP secret confirmed); null while it is off. */
  totpEnabledAt: number | null;
}

/** A user row as clients see it. */
export function toUser(row: UserRecord): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    emailVerified: row.emailVerifiedAt !== null,
    twoFactorEnabled: row.totpEnabledAt !== null,
  };
}

/**
 * What a password sign-in checks: the stored hash, and the security stamp read with it, which
 * must not have moved when the session starts (`startSession`).
 */
export interface StoredCredential {
  passwordHash: string;
  credentialVersion: number;
}
