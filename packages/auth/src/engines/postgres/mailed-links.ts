import { pgSchema } from '@tessera/db';
import { asc, eq, inArray } from 'drizzle-orm';
import * as mail from '../../mailed-links/fragments';
import type { MailedLinkSteps } from '../../mailed-links/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { changed, firstRow, run } from './statement-steps';

const { emailTokens, mailOutbox, users } = pgSchema;

/**
 * The mailed-link steps on PostgreSQL. The locks SQLite's IMMEDIATE transaction gives for free
 * are taken here: the user's row before a supersede, the token's row before a use (`FOR
 * UPDATE`); a claim skips the messages another instance holds (`SKIP LOCKED`).
 */
export function pgMailedLinkSteps(q: PgQueryable): MailedLinkSteps {
  const token = (tokenHash: string) =>
    q.select(mail.tokenColumns(emailTokens)).from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash));
  const user = () => q.select({ id: users.id }).from(users);
  const byId = (id: string) => eq(mailOutbox.id, id);
  return {
    lockUser: (userId) => firstRow(user().where(eq(users.id, userId)).for('update')),
    lockUserByEmail: (email) => firstRow(user().where(eq(users.email, email)).for('update')),
    supersedeUnused: (userId, purpose, now) =>
      run(
        q
          .update(emailTokens)
          .set({ supersededAt: now })
          .where(mail.usableTokensOf(emailTokens, userId, purpose)),
      ),
    insertToken: (row) => run(q.insert(emailTokens).values(row)),
    queueMail: (row) => run(q.insert(mailOutbox).values(row)),
    tokenByHash: (tokenHash) => firstRow(token(tokenHash)),
    lockTokenByHash: (tokenHash) => firstRow(token(tokenHash).for('update')),
    markUsed: (tokenId, now) =>
      changed(q.update(emailTokens).set({ usedAt: now }).where(mail.unusedToken(emailTokens, tokenId))),
    markEmailVerified: (userId, now) =>
      run(q.update(users).set(mail.firstProof(users, now)).where(eq(users.id, userId))),
    firstDueMail: (now) =>
      firstRow(q.select({ id: mailOutbox.id }).from(mailOutbox).where(mail.dueMail(mailOutbox, now)).limit(1)),
    claimDueMail: (now, leaseUntil, limit) =>
      awaited(
        q
          .update(mailOutbox)
          .set(mail.claimedMail(mailOutbox, leaseUntil))
          .where(
            inArray(
              mailOutbox.id,
              q
                .select({ id: mailOutbox.id })
                .from(mailOutbox)
                .where(mail.dueMail(mailOutbox, now))
                .orderBy(asc(mailOutbox.nextAttemptAt))
                .limit(limit)
                .for('update', { skipLocked: true }),
            ),
          )
          .returning(mail.queuedMailColumns(mailOutbox)),
      ),
    markMailSent: (id, now) => run(q.update(mailOutbox).set(mail.sentMail(now)).where(byId(id))),
    retryMailAt: (id, at, error) => run(q.update(mailOutbox).set(mail.retriedMail(at, error)).where(byId(id))),
    markMailFailed: (id, now, error) => run(q.update(mailOutbox).set(mail.failedMail(now, error)).where(byId(id))),
  };
}
