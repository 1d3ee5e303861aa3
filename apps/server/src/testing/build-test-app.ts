import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPollingRevocationFeed } from '@tessera/auth';
import { createDb, type DbHandle } from '@tessera/db';
import type { FastifyInstance } from 'fastify';
import { sqliteServerDatabase } from '../database';
import { loadEnv } from '../env';
import { migrationsFrom } from '../features';
import { loadSecretKey } from '../secret-key';
import { buildServer, type LogStream } from '../server';
import { createServerAuth } from '../start-server';

/**
 * The real server, not listening (drive it with `app.inject`), on a fresh SQLite file the test
 * holds the handle of: for tests that break the database or read the log.
 *
 * @example
 * const { app, db, dispose } = await buildTestApp();
 * db.close(); // the database is gone
 * expect((await app.inject({ url: '/healthz' })).statusCode).toBe(503);
 */
export async function buildTestApp(
  options: {
    logStream?: LogStream;
    env?: Record<string, string>;
    /** A private in-memory database: the background work then shares the test's connection. */
    inMemory?: boolean;
    /**
     * Reads other processes' revocations this often instead of REVOCATION_POLL_MS (which allows
     * at most 1 s): slower than the 5 s after which the list is stale, the feed falls behind on
     * its own while the database stays readable.
     */
    revocationPollMs?: number;
  } = {},
): Promise<{ app: FastifyInstance; db: DbHandle; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-app-'));
  const db = createDb(options.inMemory ? ':memory:' : join(dir, 'tessera.db'), migrationsFrom(undefined));
  const env = loadEnv({ LOG_LEVEL: 'silent', ...options.env });
  const opened = sqliteServerDatabase(db);
  const { revocationPollMs } = options;
  const database =
    revocationPollMs === undefined
      ? opened
      : {
          ...opened,
          revocationFeed: createPollingRevocationFeed({ reader: opened.background, pollMs: revocationPollMs }),
        };
  const auth = await createServerAuth(env, database, loadSecretKey(env, db.file).box);
  const app = await buildServer({ env, database, auth, webRoot: null, logStream: options.logStream });
  return {
    app,
    db,
    async dispose() {
      await app.close();
      await auth.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
