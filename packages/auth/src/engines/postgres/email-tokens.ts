import { randomUUID } from 'node:crypto';
import { pgSchema, type TesseraPgDb } from '@tessera/db';
import type { QueuedMail } from '@tessera/mail';
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import {
  type EmailTokenCheck,
  type EmailTokenPurpose,
  judgeEmailToken,
  type NewEmailToken,
  type NewEmailTokenFor,
} from '../../mailed-links/email-tokens';

const { emailTokens, mailOutbox, users } = pgSchema;

/**
 * Mailed tokens and the outbox on PostgreSQL: the same operations and rules as email-tokens.ts
 * on SQLite. Claims skip rows another sender holds (`FOR UPDATE SKIP LOCKED`), so instances
 * share the outbox without sending a message twice.
 */

/** The handle a `db.transaction(...)` callback receives. */
type PgTransaction = Parameters<Parameters<TesseraPgDb['transaction']>[0]>[0];

/**
 * See `issueEmailToken` (SQLite). The user's row is locked first, as SQLite's IMMEDIATE
 * transaction serialises the whole issue: two requests at once queue there, and the second
 * supersedes the first's token. Without the lock each UPDATE saw no other unused token (neither
 * had committed) and both links worked (issue 20, finding 10).
 */
export async function issueEmailTokenPg(db: TesseraPgDb, token: NewEmailToken, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, token.userId)).for('update');
    await supersedeAndInsert(tx, token, now);
  });
}

/** See `issueEmailTokenFor` (SQLite): the user's row is found and locked in one statement. */
export function issueEmailTokenForPg(
  db: TesseraPgDb,
  { email, ...token }: NewEmailTokenFor,
  now: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email)).for('update');
    if (!user) return false;
    await supersedeAndInsert(tx, { ...token, userId: user.id }, now);
    return true;
  });
}

async function supersedeAndInsert(tx: PgTransaction, token: NewEmailToken, now: number): Promise<void> {
  await tx
    .update(emailTokens)
    .set({ supersededAt: now })
    .where(
      and(
        eq(emailTokens.userId, token.userId),
        eq(emailTokens.purpose, token.purpose),
        isNull(emailTokens.usedAt),
        isNull(emailTokens.supersededAt),
      ),
    );
  await tx.insert(emailTokens).values({
    id: randomUUID(),
    userId: token.userId,
    purpose: token.purpose,
    tokenHash: token.tokenHash,
    createdAt: now,
    expiresAt: token.expiresAt,
  });
  await tx.insert(mailOutbox).values({ ...token.mail, createdAt: now, nextAttemptAt: now });
}

/** See `checkEmailToken` (SQLite). */
export async function checkEmailTokenPg(
  db: TesseraPgDb,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): Promise<EmailTokenCheck> {
  const [row] = await db.select().from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash));
  return judgeEmailToken(row, purpose, now);
}

/** See `useEmailToken` (SQLite): the row is locked, so of two requests with one token, one wins. */
export function useEmailTokenPg(
  db: TesseraPgDb,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): Promise<EmailTokenCheck> {
  return db.transaction(async (tx): Promise<EmailTokenCheck> => {
    const [row] = await tx.select().from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash)).for('update');
    const check = judgeEmailToken(row, purpose, now);
    if (!check.ok || !row) return check;
    await tx.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, row.id));
    return check;
  });
}

export async function markEmailVerifiedPg(db: TesseraPgDb, userId: string, now: number): Promise<void> {
  await db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
    .where(eq(users.id, userId));
}

/** See `queueMail` (SQLite). */
export async function queueMailPg(db: TesseraPgDb, mail: NewEmailToken['mail'], now: number): Promise<void> {
  await db.insert(mailOutbox).values({ ...mail, createdAt: now, nextAttemptAt: now });
}

/** See `MailOutbox.claimDueMail` (@tessera/mail). */
export async function claimDueMailPg(
  db: TesseraPgDb,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<QueuedMail[]> {
  const due = db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(isNull(mailOutbox.sentAt), isNull(mailOutbox.failedAt), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(asc(mailOutbox.nextAttemptAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(mailOutbox)
    .set({ nextAttemptAt: leaseUntil, attempts: sql`${mailOutbox.attempts} + 1` })
    .where(sql`${mailOutbox.id} in ${due}`)
    .returning({
      id: mailOutbox.id,
      recipient: mailOutbox.recipient,
      sealedMessage: mailOutbox.sealedMessage,
      createdAt: mailOutbox.createdAt,
      attempts: mailOutbox.attempts,
    });
  return rows.map((mail) => ({ ...mail, attempts: mail.attempts - 1 }));
}

export async function markMailSentPg(db: TesseraPgDb, id: string, now: number): Promise<void> {
  await db.update(mailOutbox).set({ sentAt: now, sealedMessage: '', lastError: null }).where(eq(mailOutbox.id, id));
}

export async function retryMailAtPg(db: TesseraPgDb, id: string, at: number, error: string): Promise<void> {
  await db.update(mailOutbox).set({ nextAttemptAt: at, lastError: error }).where(eq(mailOutbox.id, id));
}

export async function markMailFailedPg(db: TesseraPgDb, id: string, now: number, error: string): Promise<void> {
  await db.update(mailOutbox).set({ failedAt: now, sealedMessage: '', lastError: error }).where(eq(mailOutbox.id, id));
}
