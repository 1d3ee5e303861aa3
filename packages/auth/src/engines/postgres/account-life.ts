import { pgSchema } from '@tessera/db';
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import * as life from '../../account-life/fragments';
import type { AccountLifeSteps } from '../../account-life/steps';
import { ended } from '../../sessions/fragments';
import { awaited } from '../../store/step';
import { pgAccountSteps } from './accounts';
import type { PgQueryable } from './engine';
import { pgMailedLinkSteps } from './mailed-links';
import { pgSessionSteps } from './sessions';
import { firstRow, run } from './statement-steps';

const schema = pgSchema;
const { emailTokens, mailOutbox, sessions, users } = schema;

/**
 * The account's life on PostgreSQL: the account's row, and the admins' rows before a deletion,
 * are locked `FOR UPDATE`, so two changes to one account, or two deletions of admins, queue.
 */
export function pgAccountLifeSteps(q: PgQueryable): AccountLifeSteps {
  return {
    sessions: pgSessionSteps(q),
    links: pgMailedLinkSteps(q),
    accounts: pgAccountSteps(q),
    lockAccount: (userId) =>
      firstRow(q.select(life.accountColumns(users)).from(users).where(eq(users.id, userId)).for('update')),
    lockAddress: (address) =>
      run(q.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`email:${address}`}, 0))`)),
    lockAdmins: () =>
      awaited(
        q
          .select({ id: users.id })
          .from(users)
          .where(life.liveAdmins(users))
          .orderBy(asc(users.id))
          .for('update')
          .then((rows) => rows.map(({ id }) => id)),
      ),
    supersedeTokensOf: (userId, now, kept) =>
      run(
        q
          .update(emailTokens)
          .set({ supersededAt: now })
          .where(life.usableTokensBut(emailTokens, userId, kept)),
      ),
    endSessionsBut: (userId, keptSessionId, now, reason) =>
      awaited(
        q
          .update(sessions)
          .set(ended(now, reason))
          .where(life.liveSessionsBut(sessions, userId, keptSessionId))
          .returning({ id: sessions.id }),
      ),
    deleteRowsOf: (table, userId) => {
      const rows = schema[table];
      return run(q.delete(rows).where(eq(rows.userId, userId)));
    },
    addressesOfLinks: (userId) =>
      awaited(
        q
          .selectDistinct({ address: emailTokens.address })
          .from(emailTokens)
          .where(and(eq(emailTokens.userId, userId), isNotNull(emailTokens.address)))
          .then((rows) => rows.flatMap(({ address }) => (address === null ? [] : [address]))),
      ),
    deleteMailTo: (recipients) => run(q.delete(mailOutbox).where(inArray(mailOutbox.recipient, [...recipients]))),
    stripAccount: (userId, now) =>
      run(
        q
          .update(users)
          .set(life.accountStripped(users, userId, now))
          .where(eq(users.id, userId)),
      ),
  };
}
