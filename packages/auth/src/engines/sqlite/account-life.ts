import { emailTokens, mailOutbox, schema, sessions, type TesseraDb, users } from '@tessera/db';
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import * as life from '../../account-life/fragments';
import type { AccountLifeSteps } from '../../account-life/steps';
import { ended } from '../../sessions/fragments';
import { immediate } from '../../store/step';
import { sqliteAccountSteps } from './accounts';
import { sqliteMailedLinkSteps } from './mailed-links';
import { sqliteSessionSteps } from './sessions';

/**
 * The account's life on SQLite: the IMMEDIATE transaction around a rule is its lock, so the
 * "lock" steps only read. Rare operations: each statement is built when it runs.
 */
export function sqliteAccountLifeSteps(db: TesseraDb): AccountLifeSteps {
  return {
    sessions: sqliteSessionSteps(db),
    links: sqliteMailedLinkSteps(db),
    accounts: sqliteAccountSteps(db),
    lockAccount: (userId) =>
      immediate(() => db.select(life.accountColumns(users)).from(users).where(eq(users.id, userId)).get()),
    lockAddress: () => immediate(() => undefined),
    lockAdmins: () =>
      immediate(() =>
        db
          .select({ id: users.id })
          .from(users)
          .where(life.liveAdmins(users))
          .orderBy(asc(users.id))
          .all()
          .map(({ id }) => id),
      ),
    supersedeTokensOf: (userId, now, kept) =>
      immediate(
        () =>
          void db
            .update(emailTokens)
            .set({ supersededAt: now })
            .where(life.usableTokensBut(emailTokens, userId, kept))
            .run(),
      ),
    endSessionsBut: (userId, keptSessionId, now, reason) =>
      immediate(() =>
        db
          .update(sessions)
          .set(ended(now, reason))
          .where(life.liveSessionsBut(sessions, userId, keptSessionId))
          .returning({ id: sessions.id })
          .all(),
      ),
    deleteRowsOf: (table, userId) => {
      const rows = schema[table];
      return immediate(() => void db.delete(rows).where(eq(rows.userId, userId)).run());
    },
    addressesOfLinks: (userId) =>
      immediate(() =>
        db
          .selectDistinct({ address: emailTokens.address })
          .from(emailTokens)
          .where(and(eq(emailTokens.userId, userId), isNotNull(emailTokens.address)))
          .all()
          .flatMap(({ address }) => (address === null ? [] : [address])),
      ),
    deleteMailTo: (recipients) =>
      immediate(
        () =>
          void db
            .delete(mailOutbox)
            .where(inArray(mailOutbox.recipient, [...recipients]))
            .run(),
      ),
    stripAccount: (userId, now) =>
      immediate(
        () =>
          void db
            .update(users)
            .set(life.accountStripped(users, userId, now))
            .where(eq(users.id, userId))
            .run(),
      ),
  };
}
