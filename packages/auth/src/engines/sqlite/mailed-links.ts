import { emailTokens, mailOutbox, type TesseraDb, users } from '@tessera/db';
import { asc, eq, inArray } from 'drizzle-orm';
import * as mail from '../../mailed-links/fragments';
import type { MailedLinkSteps } from '../../mailed-links/steps';
import { inThread, p, read, type StatementRunner, value, write } from './statements';

/**
 * Every mailed-link and outbox statement on SQLite, built with named placeholders, on any
 * Drizzle SQLite handle: prepared once per database by the store ({@link sqliteMailedLinkSteps}),
 * and by the worker thread from their SQL text (worker.ts, on `drizzle.mock()`), so no statement
 * is written twice.
 */
export function mailedLinkQueries(db: Pick<TesseraDb, 'select' | 'insert' | 'update'>) {
  const userId = { id: users.id };
  const user = () => db.select(userId).from(users);
  const token = mail.tokenColumns(emailTokens);
  const due = { id: mailOutbox.id };
  const queued = mail.queuedMailColumns(mailOutbox);
  return {
    userById: read(userId, user().where(eq(users.id, p('userId')))),
    userByEmail: read(userId, user().where(eq(users.email, p('email')))),
    supersede: write(
      db
        .update(emailTokens)
        .set({ supersededAt: value('now') })
        .where(mail.usableTokensOf(emailTokens, value('userId'), value('purpose'))),
    ),
    insertToken: write(
      db.insert(emailTokens).values({
        id: p('id'),
        userId: p('userId'),
        purpose: p('purpose'),
        address: p('address'),
        tokenHash: p('tokenHash'),
        createdAt: p('createdAt'),
        expiresAt: p('expiresAt'),
      }),
    ),
    queueMail: write(
      db.insert(mailOutbox).values({
        id: p('id'),
        recipient: p('recipient'),
        sealedMessage: p('sealedMessage'),
        createdAt: p('createdAt'),
        nextAttemptAt: p('nextAttemptAt'),
      }),
    ),
    tokenByHash: read(
      token,
      db
        .select(token)
        .from(emailTokens)
        .where(eq(emailTokens.tokenHash, p('tokenHash'))),
    ),
    markUsed: write(
      db
        .update(emailTokens)
        .set({ usedAt: value('now') })
        .where(mail.unusedToken(emailTokens, value('tokenId'))),
    ),
    markEmailVerified: write(
      db
        .update(users)
        .set(mail.firstProof(users, value('now')))
        .where(eq(users.id, p('userId'))),
    ),
    firstDueMail: read(
      due,
      db
        .select(due)
        .from(mailOutbox)
        .where(mail.dueMail(mailOutbox, value('now')))
        .limit(1),
    ),
    claimDueMail: read(
      queued,
      db
        .update(mailOutbox)
        .set(mail.claimedMail(mailOutbox, value('leaseUntil')))
        .where(
          inArray(
            mailOutbox.id,
            db
              .select(due)
              .from(mailOutbox)
              .where(mail.dueMail(mailOutbox, value('now')))
              .orderBy(asc(mailOutbox.nextAttemptAt))
              .limit(p('limit')),
          ),
        )
        .returning(queued),
    ),
    markMailSent: write(
      db
        .update(mailOutbox)
        .set(mail.sentMail(value('now')))
        .where(eq(mailOutbox.id, p('id'))),
    ),
    retryMailAt: write(
      db
        .update(mailOutbox)
        .set(mail.retriedMail(value('at'), value('error')))
        .where(eq(mailOutbox.id, p('id'))),
    ),
    markMailFailed: write(
      db
        .update(mailOutbox)
        .set(mail.failedMail(value('now'), value('error')))
        .where(eq(mailOutbox.id, p('id'))),
    ),
  };
}

export type MailedLinkQueries = ReturnType<typeof mailedLinkQueries>;

/**
 * The mailed-link steps on SQLite: the statements of {@link mailedLinkQueries}, run by `run` (in
 * this thread, or in the worker). The IMMEDIATE transaction around a rule is its lock: the
 * "lock" steps only read.
 */
export function mailedLinkStepsOver(s: MailedLinkQueries, run: StatementRunner): MailedLinkSteps {
  const tokenByHash = (tokenHash: string) => run.row(s.tokenByHash, { tokenHash });
  return {
    lockUser: (userId) => run.row(s.userById, { userId }),
    lockUserByEmail: (email) => run.row(s.userByEmail, { email }),
    supersedeUnused: (userId, purpose, now) => run.run(s.supersede, { userId, purpose, now }),
    insertToken: (row) => run.run(s.insertToken, row),
    queueMail: (row) => run.run(s.queueMail, row),
    tokenByHash,
    lockTokenByHash: tokenByHash,
    markUsed: (tokenId, now) => run.changes(s.markUsed, { tokenId, now }),
    markEmailVerified: (userId, now) => run.run(s.markEmailVerified, { userId, now }),
    firstDueMail: (now) => run.row(s.firstDueMail, { now }),
    claimDueMail: (now, leaseUntil, limit) => run.rows(s.claimDueMail, { now, leaseUntil, limit }),
    markMailSent: (id, now) => run.run(s.markMailSent, { id, now }),
    retryMailAt: (id, at, error) => run.run(s.retryMailAt, { id, at, error }),
    markMailFailed: (id, now, error) => run.run(s.markMailFailed, { id, now, error }),
  };
}

/** The mailed-link steps on SQLite, in this thread: each statement prepared once per database. */
export const sqliteMailedLinkSteps = (db: TesseraDb): MailedLinkSteps =>
  mailedLinkStepsOver(mailedLinkQueries(db), inThread);
