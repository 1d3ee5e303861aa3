import { authEvents, emailTokens, sessions, type TesseraDb, users } from '@tessera/db';
import { desc, eq, sql } from 'drizzle-orm';
import { undoLinkFor } from '../../account-life/fragments';
import * as account from '../../accounts/fragments';
import type { AccountSteps } from '../../accounts/steps';
import { userSelection } from '../../accounts/users';
import { immediate } from '../../store/step';

const p = sql.placeholder;

/**
 * The account steps on SQLite. The reads behind every signed-in request and sign-in (a user by
 * id, by address, the credential) are prepared once per database.
 */
export function sqliteAccountSteps(db: TesseraDb): AccountSteps {
  const user = (where: ReturnType<typeof eq>) => db.select(userSelection(users)).from(users).where(where);
  const byId = user(eq(users.id, p('id'))).prepare();
  const byEmail = db
    .select({ ...userSelection(users), ...account.credentialColumns(users) })
    .from(users)
    .where(eq(users.email, p('email')))
    .prepare();
  const credential = db
    .select(account.credentialColumns(users))
    .from(users)
    .where(eq(users.id, p('id')))
    .prepare();
  const recent = db
    .select(account.eventColumns(authEvents))
    .from(authEvents)
    .where(eq(authEvents.userId, p('userId')))
    .orderBy(desc(authEvents.id))
    .limit(p('limit'))
    .prepare();
  return {
    undoHolderOf: (address, now) =>
      immediate(
        () =>
          db
            .select({ userId: emailTokens.userId })
            .from(emailTokens)
            .where(undoLinkFor(emailTokens, address, now))
            .get()?.userId,
      ),
    insertUser: (row) => immediate(() => db.insert(users).values(row).onConflictDoNothing().run().changes),
    userByEmail: (email) => immediate(() => byEmail.get({ email })),
    userById: (id) => immediate(() => byId.get({ id })),
    credential: (id) => immediate(() => credential.get({ id })),
    usersPage: (after, rows, now) => {
      const { columns, live, keyset, order } = account.usersPageParts(users, sessions, authEvents, after, now);
      const joined = db.select(columns).from(users).leftJoin(sessions, live);
      return immediate(() =>
        joined
          .where(keyset)
          .groupBy(users.id)
          .orderBy(...order)
          .limit(rows)
          .all(),
      );
    },
    insertEvent: (row) => immediate(() => void db.insert(authEvents).values(row).run()),
    recentEvents: (userId, limit) => immediate(() => recent.all({ userId, limit })),
  };
}
