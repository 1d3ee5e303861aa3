import { pgSchema } from '@tessera/db';
import { desc, eq } from 'drizzle-orm';
import {
  credentialColumns,
  eventColumns,
  liveSessionsOf,
  newestUsersFirst,
  overviewColumns,
  userColumnsOf,
  usersAfter,
} from '../../accounts/fragments';
import type { AccountSteps } from '../../accounts/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { changed, firstRow, run } from './statement-steps';

const { users, sessions, authEvents } = pgSchema;

/** The account steps on PostgreSQL: single statements, none of them locking. */
export function pgAccountSteps(q: PgQueryable): AccountSteps {
  return {
    insertUser: (row) => changed(q.insert(users).values(row).onConflictDoNothing()),
    userByEmail: (email) =>
      firstRow(
        q
          .select({ ...userColumnsOf(users), ...credentialColumns(users) })
          .from(users)
          .where(eq(users.email, email)),
      ),
    userById: (id) => firstRow(q.select(userColumnsOf(users)).from(users).where(eq(users.id, id))),
    credential: (id) => firstRow(q.select(credentialColumns(users)).from(users).where(eq(users.id, id))),
    usersPage: (after, rows, now) =>
      awaited(
        q
          .select(overviewColumns(users, sessions))
          .from(users)
          .leftJoin(sessions, liveSessionsOf(sessions, users.id, now))
          .where(usersAfter(users, after))
          .groupBy(users.id)
          .orderBy(...newestUsersFirst(users))
          .limit(rows),
      ),
    insertEvent: (row) => run(q.insert(authEvents).values(row)),
    recentEvents: (userId, limit) =>
      awaited(
        q
          .select(eventColumns(authEvents))
          .from(authEvents)
          .where(eq(authEvents.userId, userId))
          .orderBy(desc(authEvents.id))
          .limit(limit),
      ),
  };
}
