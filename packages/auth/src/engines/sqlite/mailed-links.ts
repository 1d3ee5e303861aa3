import { emailTokens, mailOutbox, type TesseraDb, users } from '@tessera/db';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import * as mail from '../../mailed-links/fragments';
import type { MailedLinkSteps } from '../../mailed-links/steps';
import { immediate } from '../../store/step';

const p = sql.placeholder;
/** A placeholder where Drizzle's types want SQL (a `set`, a fragment's value). */
const value = (name: string) => sql`${p(name)}`;

/**
 * Every mailed-link and outbox statement on SQLite, built with named placeholders, on any
 * Drizzle SQLite handle. The store prepares them once per database ({@link sqliteMailedLinkSteps});
 * the worker thread, which has the driver but not Drizzle, takes their SQL from here
 * (`mailedLinkQueries(drizzle.mock()).supersede.toSQL()`: the text and its parameters in order,
 * each a placeholder's name or a constant), so no statement is written twice.
 */
export function mailedLinkQueries(db: Pick<TesseraDb, 'select' | 'insert' | 'update'>) {
  return {
    userById: db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.id, p('userId'))),
    userByEmail: db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, p('email'))),
    supersede: db
      .update(emailTokens)
      .set({ supersededAt: value('now') })
      .where(mail.usableTokensOf(emailTokens, value('userId'), value('purpose'))),
    insertToken: db.insert(emailTokens).values({
      id: p('id'),
      userId: p('userId'),
      purpose: p('purpose'),
      tokenHash: p('tokenHash'),
      createdAt: p('createdAt'),
      expiresAt: p('expiresAt'),
    }),
    queueMail: db.insert(mailOutbox).values({
      id: p('id'),
      recipient: p('recipient'),
      sealedMessage: p('sealedMessage'),
      createdAt: p('createdAt'),
      nextAttemptAt: p('nextAttemptAt'),
    }),
    tokenByHash: db
      .select(mail.tokenColumns(emailTokens))
      .from(emailTokens)
      .where(eq(emailTokens.tokenHash, p('tokenHash'))),
    markUsed: db
      .update(emailTokens)
      .set({ usedAt: value('now') })
      .where(eq(emailTokens.id, p('tokenId'))),
    markEmailVerified: db
      .update(users)
      .set(mail.firstProof(users, value('now')))
      .where(eq(users.id, p('userId'))),
    firstDueMail: db
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(mail.dueMail(mailOutbox, value('now')))
      .limit(1),
    claimDueMail: db
      .update(mailOutbox)
      .set(mail.claimedMail(mailOutbox, value('leaseUntil')))
      .where(
        inArray(
          mailOutbox.id,
          db
            .select({ id: mailOutbox.id })
            .from(mailOutbox)
            .where(mail.dueMail(mailOutbox, value('now')))
            .orderBy(asc(mailOutbox.nextAttemptAt))
            .limit(p('limit')),
        ),
      )
      .returning(mail.queuedMailColumns(mailOutbox)),
    markMailSent: db
      .update(mailOutbox)
      .set(mail.sentMail(value('now')))
      .where(eq(mailOutbox.id, p('id'))),
    retryMailAt: db
      .update(mailOutbox)
      .set(mail.retriedMail(value('at'), value('error')))
      .where(eq(mailOutbox.id, p('id'))),
    markMailFailed: db
      .update(mailOutbox)
      .set(mail.failedMail(value('now'), value('error')))
      .where(eq(mailOutbox.id, p('id'))),
  };
}

type Prepared<Q> = { [K in keyof Q]: Q[K] extends { prepare(): infer P } ? P : never };

/** Each query prepared, under the same name. */
function prepareAll<Q extends Record<string, { prepare(): unknown }>>(queries: Q): Prepared<Q> {
  // Object.fromEntries loses the names' types; each value is exactly its query's prepare().
  return Object.fromEntries(Object.entries(queries).map(([name, query]) => [name, query.prepare()])) as Prepared<Q>;
}

/**
 * The mailed-link steps on SQLite, over statements prepared once. The IMMEDIATE transaction
 * around a rule is its lock: the "lock" steps only read.
 */
export function sqliteMailedLinkSteps(db: TesseraDb): MailedLinkSteps {
  const s = prepareAll(mailedLinkQueries(db));
  const tokenByHash = (tokenHash: string) => immediate(() => s.tokenByHash.get({ tokenHash }));
  return {
    lockUser: (userId) => immediate(() => s.userById.get({ userId })),
    lockUserByEmail: (email) => immediate(() => s.userByEmail.get({ email })),
    supersedeUnused: (userId, purpose, now) => immediate(() => void s.supersede.run({ userId, purpose, now })),
    insertToken: (row) => immediate(() => void s.insertToken.run(row)),
    queueMail: (row) => immediate(() => void s.queueMail.run(row)),
    tokenByHash,
    lockTokenByHash: tokenByHash,
    markUsed: (tokenId, now) => immediate(() => void s.markUsed.run({ tokenId, now })),
    markEmailVerified: (userId, now) => immediate(() => void s.markEmailVerified.run({ userId, now })),
    firstDueMail: (now) => immediate(() => s.firstDueMail.get({ now })),
    claimDueMail: (now, leaseUntil, limit) => immediate(() => s.claimDueMail.all({ now, leaseUntil, limit })),
    markMailSent: (id, now) => immediate(() => void s.markMailSent.run({ id, now })),
    retryMailAt: (id, at, error) => immediate(() => void s.retryMailAt.run({ id, at, error })),
    markMailFailed: (id, now, error) => immediate(() => void s.markMailFailed.run({ id, now, error })),
  };
}
