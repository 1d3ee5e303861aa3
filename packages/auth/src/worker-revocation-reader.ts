import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { RevocationReader } from './revocation-feed';
import type { Revocation } from './revocation-list';

/**
 * The worker's whole program. better-sqlite3 is synchronous, and SQLite itself retries for up to
 * ten seconds when another process holds the WAL locks: run on the main thread, one poll of a
 * locked file would freeze every request. Here only the worker waits, and the main thread sees
 * the feed fall behind. Its connection is read-only and never waits for a lock on its own.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let query = null;
// Opened on first use, and again after a failure: the file may appear or come back later.
function prepared() {
  if (query === null) {
    const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 0');
    query = db.prepare(
      'select id as sessionId, revoked_at as revokedAt from sessions where revoked_at > ? order by revoked_at'
    );
  }
  return query;
}
parentPort.on('message', ({ id, after }) => {
  try {
    parentPort.postMessage({ id, rows: prepared().all(after) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Reply = { id: number; rows: Revocation[] } | { id: number; error: string };

/**
 * Reads revocations from a SQLite file in a worker thread with a connection of its own.
 *
 * @example
 * const reader = createWorkerRevocationReader('./data/tessera.db');
 * await reader.revokedAfter(Date.now() - 305_000);
 */
export function createWorkerRevocationReader(file: string): RevocationReader {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const pending = new Map<number, { resolve(rows: Revocation[]): void; reject(error: Error): void }>();
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
      else request?.resolve(reply.rows);
    });
    started.on('error', (error) => failAll(error));
    started.on('exit', (code) => {
      worker = null;
      if (!closing) failAll(new Error(`revocation reader exited with code ${code}`));
    });
    worker = started;
    return started;
  };

  return {
    revokedAfter(after) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ensureWorker().postMessage({ id, after });
      });
    },
    async close() {
      closing = true;
      await worker?.terminate();
      failAll(new Error('revocation reader closed'));
    },
  };
}
