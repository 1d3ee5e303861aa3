import {
  emailTokens,
  mailOutbox,
  refreshTokens,
  type schema,
  sessions,
  signingKeys,
  type TesseraDb,
  users,
  writeHealth,
} from '@tessera/db';
import { and, type Column, eq, inArray, isNull, type Query, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { issueEmailTokenFor } from '../../mailed-links/email-tokens';
import type { BackgroundDb, BackgroundSteps } from '../../store/background';
import { backgroundOperations, graceEnded, outbox, revocations } from '../../store/background';
import { immediate, type Step } from '../../store/step';
import { byKid, keyStateFields } from '../../tokens/signing-key-rules';
import { sqliteEngine } from './engine';

/**
 * A statement that returns rows: its selection (the worker returns each row's values in this
 * order), its SQL with placeholders, and, in this thread, its rows (prepared on first use).
 */
export interface ReadStatement<Row> {
  fields: Record<string, Column>;
  toSQL(): Query;
  all(values: Record<string, unknown>): Row[];
}

/** A statement that changes rows: its SQL with placeholders and, in this thread, how many it changed. */
export interface WriteStatement {
  toSQL(): Query;
  run(values: Record<string, unknown>): number;
}

const read = <Row>(
  fields: Record<string, Column>,
  query: { toSQL(): Query; prepare(): { all(values: Record<string, unknown>): Row[] } },
): ReadStatement<Row> => {
  const prepared = once(() => query.prepare());
  return { fields, toSQL: () => query.toSQL(), all: (values) => prepared().all(values) };
};

const write = (query: {
  toSQL(): Query;
  prepare(): { run(values: Record<string, unknown>): { changes: number } };
}): WriteStatement => {
  const prepared = once(() => query.prepare());
  return { toSQL: () => query.toSQL(), run: (values) => prepared().run(values).changes };
};

/** Made on first use, then the same one. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

const p = sql.placeholder;
/** A placeholder where Drizzle's types want SQL (an update's `set`). */
const value = (name: string) => sql`${p(name)}`;

/**
 * Every statement of the background on SQLite, built by Drizzle with placeholders for their
 * values: prepared by Drizzle in this thread (`createInThreadBackground`), and their SQL text
 * (`toSQL()`) prepared by the worker (`createSqliteWorker`, on `drizzle.mock()`): both run the
 * very same statements.
 */
export function backgroundStatements(db: BetterSQLite3Database<typeof schema>) {
  const revocation = revocations.fields(sessions);
  const keyStates = keyStateFields(signingKeys);
  const queued = outbox.fields(mailOutbox);
  const id = { id: mailOutbox.id };
  const due = () =>
    db
      .select(id)
      .from(mailOutbox)
      .where(outbox.due(mailOutbox, p('now')));
  const userId = { id: users.id };
  const byId = eq(mailOutbox.id, p('id'));
  return {
    reads: {
      revokedAfter: read(
        revocation,
        db
          .select(revocation)
          .from(sessions)
          .where(revocations.since(sessions, p('after')))
          .orderBy(revocations.oldestFirst(sessions)),
      ),
      signingKeyStates: read(keyStates, db.select(keyStates).from(signingKeys).orderBy(byKid(signingKeys))),
      anyMailDue: read(id, due().limit(1)),
      claimDueMail: read(
        queued,
        db
          .update(mailOutbox)
          .set(outbox.leased(mailOutbox, value('leaseUntil')))
          .where(inArray(mailOutbox.id, due().orderBy(outbox.dueFirst(mailOutbox)).limit(p('limit'))))
          .returning(queued),
      ),
      // issueEmailTokenFor's lookup and writes (mailed-links/email-tokens.ts), for the worker:
      // worker.test.ts proves them the statements the in-thread one runs.
      userIdByEmail: read(
        userId,
        db
          .select(userId)
          .from(users)
          .where(eq(users.email, p('email'))),
      ),
    },
    writes: {
      expireGraceSuccessors: write(
        db
          .update(refreshTokens)
          .set({ successorSealed: null })
          .where(graceEnded(refreshTokens, p('before'))),
      ),
      markMailSent: write(
        db
          .update(mailOutbox)
          .set(outbox.sent(value('now')))
          .where(byId),
      ),
      retryMailAt: write(
        db
          .update(mailOutbox)
          .set(outbox.retrying(value('at'), value('error')))
          .where(byId),
      ),
      markMailFailed: write(
        db
          .update(mailOutbox)
          .set(outbox.failed(value('now'), value('error')))
          .where(byId),
      ),
      supersedeEmailTokens: write(
        db
          .update(emailTokens)
          .set({ supersededAt: value('now') })
          .where(
            and(
              eq(emailTokens.userId, p('userId')),
              eq(emailTokens.purpose, p('purpose')),
              isNull(emailTokens.usedAt),
              isNull(emailTokens.supersededAt),
            ),
          ),
      ),
      insertEmailToken: write(
        db.insert(emailTokens).values({
          id: p('id'),
          userId: p('userId'),
          purpose: p('purpose'),
          tokenHash: p('tokenHash'),
          createdAt: p('now'),
          expiresAt: p('expiresAt'),
        }),
      ),
      queueMail: write(
        db.insert(mailOutbox).values({
          id: p('mailId'),
          recipient: p('recipient'),
          sealedMessage: p('sealedMessage'),
          createdAt: p('now'),
          nextAttemptAt: p('now'),
        }),
      ),
    },
  };
}

export type BackgroundStatements = ReturnType<typeof backgroundStatements>;

/** How the background's steps run a statement: in this thread, or in the worker. */
export interface StatementRunner {
  rows<Row>(statement: ReadStatement<Row>, values: Record<string, unknown>): Step<Row[]>;
  changes(statement: WriteStatement, values: Record<string, unknown>): Step<number>;
}

/** The background's steps on SQLite: its statements, by `run`. */
export function sqliteBackgroundSteps({ reads, writes }: BackgroundStatements, run: StatementRunner): BackgroundSteps {
  return {
    revokedAfter: (after) => run.rows(reads.revokedAfter, { after }),
    signingKeyStates: () => run.rows(reads.signingKeyStates, {}),
    expireGraceSuccessors: (before) => run.changes(writes.expireGraceSuccessors, { before }),
    anyMailDue: (now) => run.rows(reads.anyMailDue, { now }),
    claimDueMail: (now, leaseUntil, limit) => run.rows(reads.claimDueMail, { now, leaseUntil, limit }),
    markMailSent: (id, now) => run.changes(writes.markMailSent, { id, now }),
    retryMailAt: (id, at, error) => run.changes(writes.retryMailAt, { id, at, error }),
    markMailFailed: (id, now, error) => run.changes(writes.markMailFailed, { id, now, error }),
  };
}

const inThread: StatementRunner = {
  rows: (statement, values) => immediate(() => statement.all(values)),
  changes: (statement, values) => immediate(() => statement.run(values)),
};

/**
 * Runs that work on the caller's own connection, in this thread: right for an in-memory database
 * (tests) and a single process. A server on a file uses `createSqliteWorker`, so that a locked
 * database cannot stall its event loop.
 *
 * @example
 * const background = createInThreadBackground(db);
 */
export function createInThreadBackground(db: TesseraDb): BackgroundDb {
  return {
    ...backgroundOperations(sqliteEngine(db, sqliteBackgroundSteps(backgroundStatements(db), inThread))),
    writeHealth: async () => writeHealth(db.$client),
    issueEmailTokenFor: async (token, now) => issueEmailTokenFor(db, token, now),
    async close() {},
  };
}
