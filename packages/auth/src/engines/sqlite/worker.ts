import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type DatabaseHealth, schema } from '@tessera/db';
import { fillPlaceholders, type Query } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { issueEmailTokenFor } from '../../mailed-links/operations';
import { mailOutboxOperations } from '../../mailed-links/outbox';
import { type BackgroundDb, backgroundOperations } from '../../store/background';
import type { Engine } from '../../store/engine';
import { awaited, immediate, runAwaited, runNow } from '../../store/step';
import { backgroundQueries, backgroundStepsOver } from './background';
import { mailedLinkQueries, mailedLinkStepsOver } from './mailed-links';
import { type ReadStatement, rowOf, type StatementRunner } from './statements';

/**
 * The worker's whole program: a connection of its own, and the statements of the server's timed
 * work, prepared from the SQL text the main thread derived from the Drizzle statements
 * (`backgroundQueries`, `mailedLinkQueries`: `workerData.statements`). better-sqlite3 is synchronous, and SQLite
 * itself retries for up to ten seconds when another process holds the WAL locks: run on the main
 * thread, one timer tick on a locked file would freeze every request. Here only the worker waits,
 * and the revocation feed falls behind, which is how the server notices. A password-reset link
 * is issued here too: its lookup and writes, done for a known address only, would otherwise
 * delay the requests that follow. The program knows no table: the main thread sends a
 * statement's name and its values, in order (Drizzle's `fillPlaceholders`), and decodes the rows.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let open = null;
// Opened on first use, and again after a failure: the file may appear or come back later.
function opened() {
  if (open === null) {
    const db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    const statements = new Map();
    for (const [name, text] of Object.entries(workerData.statements)) {
      const statement = db.prepare(text);
      // Rows as arrays, in the order of the selection: the main thread names and decodes them.
      statements.set(name, statement.reader ? statement.raw(true) : statement);
    }
    const run = ({ statement, params }) => {
      const prepared = statements.get(statement);
      if (prepared === undefined) throw new Error('unknown statement ' + statement);
      return prepared.reader ? prepared.all(...params) : prepared.run(...params).changes;
    };
    // One IMMEDIATE transaction: finds a row and, unless there is none, runs the rest with the
    // found row's values where a value stands for one (the marker and the value's index).
    const { found } = workerData;
    const whenFound = db.transaction((find, rest) => {
      const [row] = run(find);
      if (row === undefined) return false;
      for (const { statement, params } of rest) {
        const bound = params.map((param) =>
          typeof param === 'string' && param.startsWith(found) ? row[Number(param.slice(found.length))] : param,
        );
        run({ statement, params: bound });
      }
      return true;
    }).immediate;
    open = { db, run, whenFound };
  }
  return open;
}
// writeHealth of @tessera/db, step for step: a write transaction rolled back, without waiting
// on another writer's lock (which proves the file writable).
function writeHealth(db) {
  db.pragma('busy_timeout = 0');
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    db.exec('begin immediate');
    try {
      db.pragma('user_version = ' + version);
    } finally {
      db.exec('rollback');
    }
    return 'ok';
  } catch (error) {
    const code = String((error && error.code) || '');
    if (code.startsWith('SQLITE_READONLY')) return 'read-only';
    return code.startsWith('SQLITE_BUSY') ? 'ok' : 'unavailable';
  } finally {
    db.pragma('busy_timeout = 5000');
  }
}
function perform(request) {
  const connection = opened();
  switch (request.task) {
    case 'run': return connection.run(request.bound);
    case 'whenFound': return connection.whenFound(request.find, request.rest);
    case 'writeHealth': return writeHealth(connection.db);
    default: throw new Error('unknown task ' + request.task);
  }
}
parentPort.on('message', (request) => {
  try {
    parentPort.postMessage({ id: request.id, result: perform(request) });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: String((error && error.message) || error) });
  }
});
`;

type Reply = { id: number; result: unknown } | { id: number; error: string };
/** A statement the worker prepared, by name, with its values in order. */
interface Bound {
  statement: string;
  params: unknown[];
}
type Request =
  | { task: 'run'; bound: Bound }
  | { task: 'whenFound'; find: Bound; rest: Bound[] }
  | { task: 'writeHealth' };

/** A value that stands for the found row's value at the index that follows it (`whenFound`). */
const FOUND = '\u0000found:';

/**
 * The server's timed database work (reading other processes' revocations, clearing expired
 * refresh successors, the mail outbox, password-reset links) on a SQLite file, in a worker
 * thread with its own connection. The rules run here, the same as in this thread
 * (`backgroundOperations`, `mailOutboxOperations`), over the same steps and statements
 * (`backgroundQueries`, `mailedLinkQueries`), each statement run in the worker.
 *
 * @example
 * const background = createSqliteWorker('./data/tessera.db');
 * await background.revokedAfter(Date.now() - 305_000);
 */
export function createSqliteWorker(file: string): BackgroundDb {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The very statements this thread prepares, built without a connection: the worker prepares
  // their SQL, and each run sends their values, filled in as Drizzle fills them.
  const mock = drizzle.mock({ schema });
  const background = backgroundQueries(mock);
  const mail = mailedLinkQueries(mock);
  const queries = new Map<object, { name: string; query: Query }>();
  for (const [group, statements] of [
    ['background', background],
    ['mail', mail],
  ] as const) {
    for (const [name, statement] of Object.entries(statements)) {
      queries.set(statement, { name: `${group}.${name}`, query: statement.toSQL() });
    }
  }
  const statements = Object.fromEntries([...queries.values()].map(({ name, query }) => [name, query.sql]));
  const bind = (statement: object, values: Record<string, unknown>): Bound => {
    const known = queries.get(statement);
    if (known === undefined) throw new Error('A statement the database worker has not prepared');
    return { statement: known.name, params: fillPlaceholders(known.query.params, values) };
  };

  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let worker: Worker | null = null;
  let closing = false;

  const failAll = (error: Error) => {
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };

  // Started on first use, and again after a crash: a dead worker must not end the feed for good.
  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, statements, found: FOUND } });
    started.unref();
    started.on('message', (reply: Reply) => {
      const request = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) request?.reject(new Error(reply.error));
      else request?.resolve(reply.result);
    });
    started.on('error', (error) => failAll(error));
    started.on('exit', (code) => {
      worker = null;
      if (!closing) failAll(new Error(`database worker exited with code ${code}`));
    });
    worker = started;
    return started;
  };

  const ask = (request: Request): Promise<unknown> => {
    if (closing) return Promise.reject(new Error('database worker closed'));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ensureWorker().postMessage({ id, ...request });
    });
  };

  const runs = (statement: object, values: Record<string, unknown>) =>
    ask({ task: 'run', bound: bind(statement, values) });
  const inWorker: StatementRunner = {
    rows: (statement, values) => awaited(runs(statement, values).then((rows) => rowsOf(statement, rows))),
    row: (statement, values) => awaited(runs(statement, values).then((rows) => rowsOf(statement, rows)[0])),
    changes: (statement, values) => awaited(runs(statement, values).then(Number)),
    run: (statement, values) => awaited(runs(statement, values).then(() => undefined)),
  };

  return {
    ...backgroundOperations(remote(backgroundStepsOver(background, inWorker))),
    ...mailOutboxOperations(remote(mailedLinkStepsOver(mail, inWorker))),
    /**
     * A transaction, so not a statement at a time: the statements the rule runs for an address
     * someone has are planned here (the rule run over steps that only record them, the found
     * user's id a stand-in), then run in the worker in one IMMEDIATE transaction, which stops
     * after the first, the lookup, when it finds nobody. This thread does the same work whoever
     * has the address.
     */
    async issueEmailTokenFor(token, now) {
      const plan: Bound[] = [];
      const planned = <T>(statement: object, values: Record<string, unknown>, result: T) =>
        immediate(() => {
          plan.push(bind(statement, values));
          return result;
        });
      const planning: StatementRunner = {
        rows: (statement, values) => planned(statement, values, [standIn(statement)]),
        row: (statement, values) => planned(statement, values, standIn(statement)),
        changes: (statement, values) => planned(statement, values, 0),
        run: (statement, values) => planned(statement, values, undefined),
      };
      runNow(issueEmailTokenFor(mailedLinkStepsOver(mail, planning), token, now));
      const [find, ...rest] = plan;
      if (find === undefined) throw new Error('A reset link with no lookup');
      return (await ask({ task: 'whenFound', find, rest })) === true;
    },
    async writeHealth() {
      return (await ask({ task: 'writeHealth' })) as DatabaseHealth;
    },
    async close() {
      closing = true;
      await worker?.terminate();
      failAll(new Error('database worker closed'));
    },
  };
}

/** Rules over steps whose statements run in the worker: reads only, as no transaction spans its messages. */
function remote<Steps>(steps: Steps): Engine<Steps> {
  const noTransaction = () => Promise.reject(new Error('No transaction spans the database worker’s messages'));
  return { read: (rule) => runAwaited(rule(steps)), write: noTransaction, optimisticWrite: noTransaction };
}

/** The worker's rows: each the selection's values, in order. */
function rowsOf<Row>(statement: ReadStatement<Row>, rows: unknown): Row[] {
  if (!Array.isArray(rows)) throw new Error('The database worker answered no rows');
  return rows.map((values: unknown[]) => rowOf(statement, values));
}

/** A row of stand-ins for the found row's values ({@link FOUND}). */
function standIn<Row>(statement: ReadStatement<Row>): Row {
  return rowOf(
    statement,
    Object.keys(statement.fields).map((_, index) => `${FOUND}${index}`),
  );
}
