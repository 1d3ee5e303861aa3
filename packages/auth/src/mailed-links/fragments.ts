import type { QueuedMail } from '@tessera/mail';
import { and, type Column, eq, isNull, lte, type SQL, sql } from 'drizzle-orm';
import type { EmailTokenRow, NewEmailToken } from './email-tokens';

/**
 * The pieces of the mailed-link statements that are the same on every engine, written once as
 * functions of the columns: each engine passes its own table (`email_tokens`, `mail_outbox`,
 * `users`), and a prepared statement passes placeholders (`sql\`${sql.placeholder('now')}\``)
 * where a value goes.
 */
type Has<K extends string> = Record<K, Column>;
/** A value, or SQL standing for one (a placeholder filled at each run). */
type Bound<T> = T | SQL;

/** The columns of an {@link EmailTokenRow}. */
export function tokenColumns<T extends Has<keyof EmailTokenRow>>(t: T): Pick<T, keyof EmailTokenRow> {
  return {
    id: t.id,
    userId: t.userId,
    purpose: t.purpose,
    address: t.address,
    expiresAt: t.expiresAt,
    usedAt: t.usedAt,
    supersededAt: t.supersededAt,
  };
}

/** The user's tokens of the purpose that could still be used: what a new one supersedes. */
export function usableTokensOf(
  t: Has<'userId' | 'purpose' | 'usedAt' | 'supersededAt'>,
  userId: Bound<string>,
  purpose: Bound<string>,
): SQL | undefined {
  return and(eq(t.userId, userId), eq(t.purpose, purpose), isNull(t.usedAt), isNull(t.supersededAt));
}

/**
 * The token, while it is neither used nor superseded: marking it used is a compare-and-swap, so
 * a token is used at most once even if a lock were ever missing.
 */
export function unusedToken(t: Has<'id' | 'usedAt' | 'supersededAt'>, tokenId: Bound<string>): SQL | undefined {
  return and(eq(t.id, tokenId), isNull(t.usedAt), isNull(t.supersededAt));
}

/** A new token's row (`id` is made by the rule). */
export function newTokenRow(token: NewEmailToken, id: string, now: number) {
  const { userId, purpose, tokenHash, expiresAt, address = null } = token;
  return { id, userId, purpose, tokenHash, createdAt: now, expiresAt, address };
}
export type NewEmailTokenRow = ReturnType<typeof newTokenRow>;

/** A queued message's row: due at once. */
export function outboxRow(mail: NewEmailToken['mail'], now: number) {
  return {
    id: mail.id,
    recipient: mail.recipient,
    sealedMessage: mail.sealedMessage,
    createdAt: now,
    nextAttemptAt: now,
  };
}
export type OutboxRow = ReturnType<typeof outboxRow>;

/** `email_verified_at` kept at the first proof. */
export function firstProof(t: Has<'emailVerifiedAt'>, now: Bound<number>) {
  return { emailVerifiedAt: sql`coalesce(${t.emailVerifiedAt}, ${now})` };
}

/** Unsent, not given up, and its next attempt due. */
export function dueMail(t: Has<'sentAt' | 'failedAt' | 'nextAttemptAt'>, now: Bound<number>): SQL | undefined {
  return and(isNull(t.sentAt), isNull(t.failedAt), lte(t.nextAttemptAt, now));
}

/** A claim: the next attempt moves to the lease's end, and one more attempt is counted. */
export function claimedMail(t: Has<'attempts'>, leaseUntil: Bound<number>) {
  return { nextAttemptAt: leaseUntil, attempts: sql<number>`${t.attempts} + 1` };
}

/** A claimed message as the statement returns it (`attempts` already counts this one). */
export type QueuedMailRow = QueuedMail;

/** The columns of a {@link QueuedMailRow}. */
export function queuedMailColumns<T extends Has<keyof QueuedMailRow>>(t: T): Pick<T, keyof QueuedMailRow> {
  return {
    id: t.id,
    recipient: t.recipient,
    sealedMessage: t.sealedMessage,
    createdAt: t.createdAt,
    attempts: t.attempts,
  };
}

/** Sent: the message (and the link in it) is erased; the row stays as a record. */
export function sentMail(now: Bound<number>) {
  return { sentAt: now, sealedMessage: '', lastError: null };
}

/** Another attempt at `at`, with the error kept for the operator. */
export function retriedMail(at: Bound<number>, error: Bound<string>) {
  return { nextAttemptAt: at, lastError: error };
}

/** Given up: the message is erased too. */
export function failedMail(now: Bound<number>, error: Bound<string>) {
  return { failedAt: now, sealedMessage: '', lastError: error };
}
