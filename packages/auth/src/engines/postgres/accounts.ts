import { pgSchema } from '@tessera/db';
import { desc, eq, sql } from 'drizzle-orm';
import { undoLinkFor } from '../../account-life/fragments';
import * as account from '../../accounts/fragments';
import type { AccountSteps } from '../../accounts/steps';
import { userSelection } from '../../accounts/users';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { preparedPerPool } from './named-statement';
import { changed, firstRow, run } from './statement-steps';

const { users, sessions, authEvents, emailTokens } = pgSchema;

/**
 * A user by id, prepared once per pool: the signed-in path's one read (`auth.me` when the user
 * cache has no fresh copy).
 */
const userByIdOn = preparedPerPool((pool) =>
  pool
    .select(userSelection(users))
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('tessera_user_by_id'),
);

/** The account steps on PostgreSQL: single statements, none of them locking. */
export function pgAccountSteps(q: PgQueryable, inTransaction = true): AccountSteps {
  return {
    undoHolderOf: (address, now) =>
      awaited(
        q
          .select({ userId: emailTokens.userId })
          .from(emailTokens)
          .where(undoLinkFor(emailTokens, address, now))
          .limit(1)
          .then((rows) => rows[0]?.userId),
      ),
    insertUser: (row) => changed(q.insert(users).values(row).onConflictDoNothing()),
    userByEmail: (email) =>
      firstRow(
        q
          .select({ ...userSelection(users), ...account.credentialColumns(users) })
          .from(users)
          .where(eq(users.email, email)),
      ),
    userById: (id) =>
      firstRow(
        inTransaction
          ? q.select(userSelection(users)).from(users).where(eq(users.id, id))
          : userByIdOn(q).execute({ id }),
      ),
    credential: (id) => firstRow(q.select(account.credentialColumns(users)).from(users).where(eq(users.id, id))),
    usersPage: (after, rows, now) => {
      const { columns, live, keyset, order } = account.usersPageParts(users, sessions, authEvents, after, now);
      const joined = q.select(columns).from(users).leftJoin(sessions, live);
      return awaited(
        joined
          .where(keyset)
          .groupBy(users.id)
          .orderBy(...order)
          .limit(rows),
      );
    },
    insertEvent: (row) => run(q.insert(authEvents).values(row)),
    recentEvents: (userId, limit) =>
      awaited(
        q
          .select(account.eventColumns(authEvents))
          .from(authEvents)
          .where(eq(authEvents.userId, userId))
          .orderBy(desc(authEvents.id))
          .limit(limit),
      ),
  };
}
