import { type schema, sessions, signingKeys, type TesseraDb, writeHealth } from '@tessera/db';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { mailOutboxOperations } from '../../mailed-links/outbox';
import type { BackgroundDb, BackgroundSteps } from '../../store/background';
import { backgroundOperations, revocations } from '../../store/background';
import { byKid, keyStateFields } from '../../tokens/signing-key-rules';
import { sqliteEngine } from './engine';
import { sqliteMailedLinkSteps } from './mailed-links';
import { expireGraceSuccessorsQuery } from './sessions';
import { inThread, p, read, type StatementRunner, write } from './statements';

/**
 * The background's own statements on SQLite, with placeholders (the grace sweep is the
 * sessions'): prepared in this thread (`createInThreadBackground`), and by the worker from their
 * SQL text (`createSqliteWorker`).
 */
export function backgroundQueries(db: BetterSQLite3Database<typeof schema>) {
  const revocation = revocations.fields(sessions);
  const keyStates = keyStateFields(signingKeys);
  return {
    revokedAfter: read(
      revocation,
      db
        .select(revocation)
        .from(sessions)
        .where(revocations.since(sessions, p('after')))
        .orderBy(revocations.oldestFirst(sessions)),
    ),
    signingKeyStates: read(keyStates, db.select(keyStates).from(signingKeys).orderBy(byKid(signingKeys))),
    expireGraceSuccessors: write(expireGraceSuccessorsQuery(db, p('before'))),
  };
}

/** The background's steps on SQLite: the statements of {@link backgroundQueries}, run by `run`. */
export function backgroundStepsOver(s: ReturnType<typeof backgroundQueries>, run: StatementRunner): BackgroundSteps {
  return {
    revokedAfter: (after) => run.rows(s.revokedAfter, { after }),
    signingKeyStates: () => run.rows(s.signingKeyStates, {}),
    expireGraceSuccessors: (before) => run.changes(s.expireGraceSuccessors, { before }),
  };
}

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
    ...backgroundOperations(sqliteEngine(db, backgroundStepsOver(backgroundQueries(db), inThread))),
    ...mailOutboxOperations(sqliteEngine(db, sqliteMailedLinkSteps(db))),
    writeHealth: async () => writeHealth(db.$client),
    async close() {},
  };
}
