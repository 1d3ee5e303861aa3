import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DatabaseHealth } from '@tessera/db';
import type { BackgroundDb } from './in-thread-background';
import type { Revocation } from './revocation-list';

/**
 * The worker's whole program: a connection of its own and the two statements the server runs on
 * a timer. better-sqlite3 is synchronous, and SQLite itself retries for up to ten seconds when
 * another process holds the WAL locks: run on the main thread, one timer tick on a locked file
 * would freeze every request. Here only the worker waits, and the revocation feed falls behind,
 * which is how the server notices.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let statements = null;
// Opened on first use, and again after a failure: the file may appear or come back later.
function prepared() {
  if (statements === null) {
    const db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    statements = {
      db,
      revokedAfter: db.prepare(
        'select id as sessionId, revoked_at as revokedAt from sessions where revoked_at > ? order by revoked_at'
      ),
      expireGraceSuccessors: db.prepare(
        'update refresh_tokens set successor_sealed = null where successor_sealed is not null and replaced_at < ?'
      ),
    };
  }
  return statements;
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
parentPort.on('message', ({ id, task, argument }) => {
  try {
    const open = prepared();
    const result =
      task === 'writeHealth' ? writeHealth(open.db)
      : task === 'revokedAfter' ? open.revokedAfter.all(argument)
      : open.expireGraceSuccessors.run(argument).changes;
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Reply = { id: number; result: unknown } | { id: number; error: string };

/**
 * The server's timed database work (reading other processes' revocations, clearing expired
 * refresh successors) on a SQLite file, in a worker thread with its own connection.
 *
 * @example
 * const background = createSqliteWorker('./data/tessera.db');
 * await background.revokedAfter(Date.now() - 305_000);
 */
export function createSqliteWorker(file: string): BackgroundDb {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
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
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file } });
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

  const ask = (task: 'revokedAfter' | 'expireGraceSuccessors' | 'writeHealth', argument: number): Promise<unknown> => {
    if (closing) return Promise.reject(new Error('database worker closed'));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ensureWorker().postMessage({ id, task, argument });
    });
  };

  return {
    async revokedAfter(after) {
      return (await ask('revokedAfter', after)) as Revocation[];
    },
    async expireGraceSuccessors(before) {
      return Number(await ask('expireGraceSuccessors', before));
    },
    async writeHealth() {
      return (await ask('writeHealth', 0)) as DatabaseHealth;
    },
    async close() {
      closing = true;
      await worker?.terminate();
      failAll(new Error('database worker closed'));
    },
  };
}
