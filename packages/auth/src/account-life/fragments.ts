import { and, type Column, eq, gt, isNull, ne, notInArray, type SQL, sql } from 'drizzle-orm';
import type { EmailTokenPurpose } from '../mailed-links/email-tokens';
import { totpCleared } from '../two-factor/fragments';

/**
 * The conditions and values of the account's life that every engine builds the same way, as
 * functions of the engine's own tables (see sessions/fragments.ts).
 */
type Has<K extends string> = Record<K, Column>;

/** The address a deleted account keeps: unique, and never an address anyone can sign up with. */
export const deletedAddress = (userId: string) => `deleted:${userId}`;

/** An account's row as the deletion reads it (`AccountRow`), of any engine's `users`. */
type AccountKey = 'id' | 'email' | 'role' | 'emailVerifiedAt' | 'deletedAt';
export const accountColumns = <U extends Has<AccountKey>>(u: U): Pick<U, AccountKey> => ({
  id: u.id,
  email: u.email,
  role: u.role,
  emailVerifiedAt: u.emailVerifiedAt,
  deletedAt: u.deletedAt,
});

/** Admins whose accounts are not deleted. */
export const liveAdmins = (u: Has<'role' | 'deletedAt'>): SQL | undefined =>
  and(eq(u.role, 'admin'), isNull(u.deletedAt));

/**
 * A live undo link for the address: while one is out, the address is held for its account, so
 * nobody else can sign up with it or move to it and block the undo.
 */
export const undoLinkFor = (
  t: Has<'purpose' | 'address' | 'usedAt' | 'supersededAt' | 'expiresAt'>,
  address: string,
  now: number,
): SQL | undefined =>
  and(
    eq(t.purpose, 'email_change_undo' satisfies EmailTokenPurpose),
    eq(t.address, address),
    isNull(t.usedAt),
    isNull(t.supersededAt),
    gt(t.expiresAt, now),
  );

/** The user's mailed tokens that could still be used, but those of the `kept` purposes. */
export const usableTokensBut = (
  t: Has<'userId' | 'purpose' | 'usedAt' | 'supersededAt'>,
  userId: string,
  kept: readonly EmailTokenPurpose[],
): SQL | undefined =>
  and(
    eq(t.userId, userId),
    isNull(t.usedAt),
    isNull(t.supersededAt),
    kept.length === 0 ? undefined : notInArray(t.purpose, [...kept]),
  );

/** The user's sessions not ended yet, but one. */
export const liveSessionsBut = (s: Has<'id' | 'userId' | 'revokedAt'>, userId: string, keptSessionId: string) =>
  and(eq(s.userId, userId), isNull(s.revokedAt), ne(s.id, keptSessionId));

/**
 * A deleted account's row: nothing that names or admits anyone. The stamp moves on, so a sign-in
 * that read the account before it was deleted cannot start a session after.
 */
export const accountStripped = (u: Has<'credentialVersion'>, userId: string, now: number) => ({
  email: deletedAddress(userId),
  name: null,
  passwordHash: '',
  role: 'user' as const,
  emailVerifiedAt: null,
  ...totpCleared,
  credentialVersion: sql`${u.credentialVersion} + 1`,
  deletedAt: now,
});
