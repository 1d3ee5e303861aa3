import { randomUUID } from 'node:crypto';
import type { Role, User } from '@tessera/contract';
import { type TesseraDb, users } from '@tessera/db';
import { type Column, eq, sql } from 'drizzle-orm';
import { AuthError } from '../errors';

/** What a client may see of a user (never the password hash): the contract's User. */
export type { User };

/** The columns of `users` that a client may see, on any engine's table. */
export interface UserColumns {
  id: Column;
  email: Column;
  name: Column;
  role: Column;
  emailVerifiedAt: Column;
}

/**
 * The columns a client may see, as `toUser` reads them, of any engine's users table: the
 * selection keeps that table's column types.
 *
 * @example
 * const row = await db.select(userSelection(pgSchema.users)).from(pgSchema.users).where(eq(pgSchema.users.id, id));
 */
export const userSelection = <U extends UserColumns>(u: U): Pick<U, keyof UserColumns> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  emailVerifiedAt: u.emailVerifiedAt,
});

/** The columns a client may see, as `toUser` reads them. */
export const userColumns = userSelection(users);

/** A user row as clients see it. */
export function toUser(row: {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerifiedAt: number | null;
}): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerifiedAt !== null };
}

/**
 * Inserts a user; the email must already be normalised by the caller.
 *
 * @example
 * const user = insertUser(db, { email: 'ada@example.com', name: null, passwordHash }, Date.now());
 */
export function insertUser(
  db: TesseraDb,
  input: { email: string; name: string | null; passwordHash: string },
  now: number,
): User {
  const user: User = { id: randomUUID(), email: input.email, name: input.name, role: 'user', emailVerified: false };
  try {
    db.insert(users)
      .values({ id: user.id, email: user.email, name: user.name, passwordHash: input.passwordHash, createdAt: now })
      .run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN');
    throw error;
  }
  return user;
}

/**
 * What a password sign-in checks: the stored hash, and the security stamp read with it, which
 * must not have moved when the session starts (`startSession`).
 */
export interface StoredCredential {
  passwordHash: string;
  credentialVersion: number;
}

/**
 * The user with this (normalised) email, with the hash to check a password against.
 *
 * @example
 * const found = findUserByEmail(db, 'ada@example.com');
 */
export function findUserByEmail(db: TesseraDb, email: string): (User & StoredCredential) | null {
  const row = db
    .select({ ...userColumns, passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
    .from(users)
    .where(eq(users.email, email))
    .get();
  return row ? { ...toUser(row), passwordHash: row.passwordHash, credentialVersion: row.credentialVersion } : null;
}

/**
 * @example
 * const user = findUserById(db, ctx.user.id);
 */
export function findUserById(db: TesseraDb, id: string): User | null {
  const row = db.select(userColumns).from(users).where(eq(users.id, id)).get();
  return row ? toUser(row) : null;
}

/**
 * {@link findUserById} with its statement prepared once: the read behind the signed-in path
 * (`auth.me`, every signed-in page) whenever the cache in front of it misses.
 *
 * @example
 * const userById = preparedUserById(db);
 * userById('u1'); // { id, email, name, role } or null
 */
export function preparedUserById(db: TesseraDb): (id: string) => User | null {
  const query = db
    .select(userColumns)
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  return (id) => {
    const row = query.get({ id });
    return row ? toUser(row) : null;
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * A user's stored password hash and security stamp, or null.
 *
 * @example
 * const stored = findCredential(db, ctx.user.id);
 */
export function findCredential(db: TesseraDb, id: string): StoredCredential | null {
  return (
    db
      .select({ passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
      .from(users)
      .where(eq(users.id, id))
      .get() ?? null
  );
}
