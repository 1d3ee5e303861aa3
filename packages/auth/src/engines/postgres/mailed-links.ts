import { pgSchema } from '@tessera/db';
import { asc, eq, inArray } from 'drizzle-orm';
import {
  claimedMail,
  dueMail,
  failedMail,
  firstProof,
  queuedMailColumns,
  retriedMail,
  sentMail,
  tokenColumns,
  usableTokensOf,
} from '../../mailed-links/fragments';
import type { MailedLinkSteps } from '../../mailed-links/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { firstRow, run } from './statement-steps';

const { emailTokens, mailOutbox, users } = pgSchema;

/**
 * The mailed-link steps on PostgreSQL. The locks SQLite's IMMEDIATE transaction gives for free
 * are taken here: the user's row before a supersede, the token's row before a use (`FOR
 * UPDATE`); a claim skips the messages another instance holds (`SKIP LOCKED`).
 */
export function pgMailedLinkSteps(q: PgQueryable): MailedLinkSteps {
  const token = (tokenHash: string) =>
    q.select(tokenColumns(emailTokens)).from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash));
  const user = () => q.select({ id: users.id }).from(users);
  const mail = (id: string) => eq(mailOutbox.id, id);
  return {
    lockUser: (userId) => firstRow(user().where(eq(users.id, userId)).for('update')),
    lockUserByEmail: (email) => firstRow(user().where(eq(users.email, email)).for('update')),
    supersedeUnused: (userId, purpose, now) =>
      run(
        q
          .update(emailTokens)
          .set({ supersededAt: now })
          .where(usableTokensOf(emailTokens, userId, purpose)),
      ),
    insertToken: (row) => run(q.insert(emailTokens).values(row)),
    queueMail: (row) => run(q.insert(mailOutbox).values(row)),
    tokenByHash: (tokenHash) => firstRow(token(tokenHash)),
    lockTokenByHash: (tokenHash) => firstRow(token(tokenHash).for('update')),
    markUsed: (tokenId, now) => run(q.update(emailTokens).set({ usedAt: now }).where(eq(emailTokens.id, tokenId))),
    markEmailVerified: (userId, now) => run(q.update(users).set(firstProof(users, now)).where(eq(users.id, userId))),
    firstDueMail: (now) =>
      firstRow(q.select({ id: mailOutbox.id }).from(mailOutbox).where(dueMail(mailOutbox, now)).limit(1)),
    claimDueMail: (now, leaseUntil, limit) =>
      awaited(
        q
          .update(mailOutbox)
          .set(claimedMail(mailOutbox, leaseUntil))
          .where(
            inArray(
              mailOutbox.id,
              q
                .select({ id: mailOutbox.id })
                .from(mailOutbox)
                .where(dueMail(mailOutbox, now))
                .orderBy(asc(mailOutbox.nextAttemptAt))
                .limit(limit)
                .for('update', { skipLocked: true }),
            ),
          )
          .returning(queuedMailColumns(mailOutbox)),
      ),
    markMailSent: (id, now) => run(q.update(mailOutbox).set(sentMail(now)).where(mail(id))),
    retryMailAt: (id, at, error) => run(q.update(mailOutbox).set(retriedMail(at, error)).where(mail(id))),
    markMailFailed: (id, now, error) => run(q.update(mailOutbox).set(failedMail(now, error)).where(mail(id))),
  };
}
