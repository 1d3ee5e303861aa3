import { randomUUID } from 'node:crypto';
import { emailTokens, mailOutbox, type TesseraDb, type TesseraTransaction, users } from '@tessera/db';
import type { QueuedMail } from '@tessera/mail';
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';

/** What a mailed token is for. */
export type EmailTokenPurpose = 'password_reset' | 'email_verification';

/** A token about to be mailed: its hash, and the sealed message that carries it. */
export interface NewEmailToken {
  userId: string;
  purpose: EmailTokenPurpose;
  tokenHash: string;
  expiresAt: number;
  mail: { id: string; recipient: string; sealedMessage: string };
}

/** A token presented back: whose it is, or why it is refused. */
export type EmailTokenCheck =
  | { ok: true; userId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'superseded' };

/** A token about to be mailed to an address, for whoever has it (a reset request names only an address). */
export type NewEmailTokenFor = Omit<NewEmailToken, 'userId'> & { email: string };

/**
 * On SQLite, in one IMMEDIATE transaction: the user's unused tokens of this purpose are
 * superseded, the new token's hash is stored, and its mail is queued. Either all of it happens
 * or none: a mail never goes out for a token that was not stored, nor a token without its mail.
 *
 * @example
 * issueEmailToken(db, { userId, purpose: 'password_reset', tokenHash, expiresAt, mail }, Date.now());
 */
export function issueEmailToken(db: TesseraDb, token: NewEmailToken, now: number): void {
  db.transaction((tx) => supersedeAndInsert(tx, token, now), { behavior: 'immediate' });
}

/**
 * `issueEmailToken` for whoever has the address `token.email`, looked up in the same
 * transaction; false (and nothing written) when nobody has it.
 *
 * @example
 * issueEmailTokenFor(db, { email, purpose: 'password_reset', tokenHash, expiresAt, mail }, Date.now()); // false
 */
export function issueEmailTokenFor(db: TesseraDb, { email, ...token }: NewEmailTokenFor, now: number): boolean {
  return db.transaction(
    (tx) => {
      const user = tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
      if (!user) return false;
      supersedeAndInsert(tx, { ...token, userId: user.id }, now);
      return true;
    },
    { behavior: 'immediate' },
  );
}

function supersedeAndInsert(tx: TesseraTransaction, token: NewEmailToken, now: number): void {
  tx.update(emailTokens)
    .set({ supersededAt: now })
    .where(
      and(
        eq(emailTokens.userId, token.userId),
        eq(emailTokens.purpose, token.purpose),
        isNull(emailTokens.usedAt),
        isNull(emailTokens.supersededAt),
      ),
    )
    .run();
  tx.insert(emailTokens)
    .values({
      id: randomUUID(),
      userId: token.userId,
      purpose: token.purpose,
      tokenHash: token.tokenHash,
      createdAt: now,
      expiresAt: token.expiresAt,
    })
    .run();
  tx.insert(mailOutbox)
    .values({ ...token.mail, createdAt: now, nextAttemptAt: now })
    .run();
}

/**
 * Whether a presented token would be accepted, without using it up.
 *
 * @example
 * checkEmailToken(db, 'password_reset', hash, Date.now()); // { ok: false, reason: 'expired' }
 */
export function checkEmailToken(
  db: TesseraDb,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): EmailTokenCheck {
  const row = db.select().from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash)).get();
  return judgeEmailToken(row, purpose, now);
}

/**
 * Uses a token up if it is accepted (a compare-and-swap on `used_at IS NULL`): of two requests
 * with one token, one wins.
 *
 * @example
 * const used = useEmailToken(db, 'email_verification', hash, Date.now());
 */
export function useEmailToken(
  db: TesseraDb,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): EmailTokenCheck {
  return db.transaction(
    (tx): EmailTokenCheck => {
      const row = tx.select().from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash)).get();
      const check = judgeEmailToken(row, purpose, now);
      if (!check.ok || !row) return check;
      tx.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, row.id)).run();
      return check;
    },
    { behavior: 'immediate' },
  );
}

/** The rules, the same on every engine. A token of another purpose is as unknown as none. */
export function judgeEmailToken(
  row:
    | { userId: string; purpose: string; expiresAt: number; usedAt: number | null; supersededAt: number | null }
    | undefined,
  purpose: EmailTokenPurpose,
  now: number,
): EmailTokenCheck {
  if (!row || row.purpose !== purpose) return { ok: false, reason: 'unknown' };
  if (row.usedAt !== null) return { ok: false, reason: 'used' };
  if (row.supersededAt !== null) return { ok: false, reason: 'superseded' };
  if (row.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, userId: row.userId };
}

/** Marks the user's address as proven (kept at its first proof). */
export function markEmailVerified(db: TesseraDb, userId: string, now: number): void {
  db.update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
    .where(eq(users.id, userId))
    .run();
}

/** Queues a sealed notice for the mail sender, due at once. */
export function queueMail(db: TesseraDb, mail: NewEmailToken['mail'], now: number): void {
  db.insert(mailOutbox)
    .values({ ...mail, createdAt: now, nextAttemptAt: now })
    .run();
}

/** See `MailOutbox.claimDueMail` (@tessera/mail). */
export function claimDueMail(db: TesseraDb, now: number, leaseUntil: number, limit: number): QueuedMail[] {
  const due = db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(isNull(mailOutbox.sentAt), isNull(mailOutbox.failedAt), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(asc(mailOutbox.nextAttemptAt))
    .limit(limit);
  return db
    .update(mailOutbox)
    .set({ nextAttemptAt: leaseUntil, attempts: sql`${mailOutbox.attempts} + 1` })
    .where(inArray(mailOutbox.id, due))
    .returning({
      id: mailOutbox.id,
      recipient: mailOutbox.recipient,
      sealedMessage: mailOutbox.sealedMessage,
      createdAt: mailOutbox.createdAt,
      attempts: mailOutbox.attempts,
    })
    .all()
    .map((mail) => ({ ...mail, attempts: mail.attempts - 1 }));
}

/** Sent: the message (and the link in it) is erased; the row stays as a record. */
export function markMailSent(db: TesseraDb, id: string, now: number): void {
  db.update(mailOutbox).set({ sentAt: now, sealedMessage: '', lastError: null }).where(eq(mailOutbox.id, id)).run();
}

export function retryMailAt(db: TesseraDb, id: string, at: number, error: string): void {
  db.update(mailOutbox).set({ nextAttemptAt: at, lastError: error }).where(eq(mailOutbox.id, id)).run();
}

/** Given up: the message is erased too. */
export function markMailFailed(db: TesseraDb, id: string, now: number, error: string): void {
  db.update(mailOutbox).set({ failedAt: now, sealedMessage: '', lastError: error }).where(eq(mailOutbox.id, id)).run();
}
