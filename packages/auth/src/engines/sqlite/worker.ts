import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type DatabaseHealth, schema } from '@tessera/db';
import { fillPlaceholders, type Query } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { type BackgroundDb, type BackgroundSteps, backgroundOperations } from '../../store/background';
import type { Engine } from '../../store/engine';
import { awaited, runAwaited } from '../../store/step';
import { backgroundStatements, type ReadStatement, type StatementRunner, sqliteBackgroundSteps } from './background';

/**
 * The worker's whole program: a connection of its own, and the statements of the server's timed
 * work, prepared from the SQL text the main thread derived from the Drizzle statements
 * (`backgroundStatements`, `workerData.statements`). better-sqlite3 is synchronous, and SQLite
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
    // One IMMEDIATE transaction: finds a row and, unless there is none, runs the writes with the
    // found row's values where a value says { found: index }. Whether it found one.
    const whenFound = db.transaction((find, writes) => {
      const [row] = run(find);
      if (row === undefined) return false;
      for (const { statement, params } of writes) {
        const bound = params.map((param) => (param !== null && typeof param === 'object' && 'found' in param ? row[param.found] : param));
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
    case 'whenFound': return connection.whenFound(request.find, request.writes);
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
/** A statement of `workerData.statements`, by name, with its values in order. */
interface Bound {
  statement: string;
  params: unknown[];
}
type Request =
  | { task: 'run'; bound: Bound }
  | { task: 'whenFound'; find: Bound; writes: Bound[] }
  | { task: 'writeHealth' };

/** In a write of `whenFound`: the found row's first value (the user's id). */
const FOUND_USER_ID = { found: 0 };

/**
 * The server's timed database work (reading other processes' revocations, clearing expired
 * refresh successors, the mail outbox, password-reset links) on a SQLite file, in a worker
 * thread with its own connection: the background's rules (`backgroundOperations`) run here, each
 * statement in the worker.
 *
 * @example
 * const background = createSqliteWorker('./data/tessera.db');
 * await background.revokedAfter(Date.now() - 305_000);
 */
export function createSqliteWorker(file: string): BackgroundDb {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The very statements the in-thread background prepares, built without a connection: the
  // worker prepares their SQL, and each call sends their values, filled in as Drizzle does.
  const built = backgroundStatements(drizzle.mock({ schema }));
  const queries = new Map<object, { name: string; query: Query }>();
  for (const [name, statement] of [...Object.entries(built.reads), ...Object.entries(built.writes)]) {
    queries.set(statement, { name, query: statement.toSQL() });
  }
  const statements = Object.fromEntries([...queries.values()].map(({ name, query }) => [name, query.sql]));
  const bind = (statement: object, values: Record<string, unknown>): Bound => {
    const found = queries.get(statement);
    if (found === undefined) throw new Error('A statement the worker has not prepared');
    return { statement: found.name, params: fillPlaceholders(found.query.params, values) };
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
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, statements } });
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

  const inWorker: StatementRunner = {
    rows: (statement, values) =>
      awaited(ask({ task: 'run', bound: bind(statement, values) }).then((rows) => decodeRows(statement, rows))),
    changes: (statement, values) => awaited(ask({ task: 'run', bound: bind(statement, values) }).then(Number)),
  };
  const steps = sqliteBackgroundSteps(built, inWorker);
  const engine: Engine<BackgroundSteps> = {
    read: (rule) => runAwaited(rule(steps)),
    write: () => Promise.reject(new Error('No transaction spans the database worker’s messages')),
  };

  return {
    ...backgroundOperations(engine),
    async writeHealth() {
      return (await ask({ task: 'writeHealth' })) as DatabaseHealth;
    },
    async issueEmailTokenFor({ email, purpose, tokenHash, expiresAt, mail }, now) {
      const values = {
        email,
        userId: FOUND_USER_ID,
        id: randomUUID(),
        purpose,
        tokenHash,
        expiresAt,
        now,
        mailId: mail.id,
        recipient: mail.recipient,
        sealedMessage: mail.sealedMessage,
      };
      // The user's row looked up, then the writes `issueEmailTokenFor` (mailed-links) makes, in its order.
      const { reads, writes } = built;
      const request: Request = {
        task: 'whenFound',
        find: bind(reads.userIdByEmail, values),
        writes: [writes.supersedeEmailTokens, writes.insertEmailToken, writes.queueMail].map((s) => bind(s, values)),
      };
      return (await ask(request)) === true;
    },
    async close() {
      closing = true;
      await worker?.terminate();
      failAll(new Error('database worker closed'));
    },
  };
}

/** The worker's rows (each the selection's values, in order), named and decoded as Drizzle does in this thread. */
function decodeRows<Row>({ fields }: ReadStatement<Row>, rows: unknown): Row[] {
  if (!Array.isArray(rows)) throw new Error('The database worker answered no rows');
  const columns = Object.entries(fields);
  return rows.map((values: unknown[]) => {
    const row = Object.fromEntries(
      columns.map(([key, column], i) => [key, values[i] === null ? null : column.mapFromDriverValue(values[i])]),
    );
    // The same selection, decoded by the same columns: the row Drizzle returns in this thread.
    return row as Row;
  });
}
