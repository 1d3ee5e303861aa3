import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPgDatabase, TEST_DATABASE_URL } from '@tessera/db/testing/postgres';
import { loadEnv } from '../env';
import type { ProviderEndpoints } from '../identity-providers';
import type { LogStream } from '../server';
import { type RunningServer, startServer } from '../start-server';

export interface TestServer extends RunningServer {
  /** PUBLIC_ORIGIN: the address a browser must load the app from. */
  publicOrigin: string;
  /**
   * The database: a SQLite file in a temporary folder of its own, or (TEST_ENGINE=postgres) a
   * PostgreSQL database of its own, dropped by `dispose`.
   */
  dbFile: string;
  /** What a command-line tool needs to open the same database: DATABASE_URL, and SECRET_KEY on PostgreSQL. */
  databaseEnv: Record<string, string>;
  /** Stops this server and starts another on the same database (a restart). */
  restart(): Promise<TestServer>;
  /** Stops the server and deletes its database. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** Environment variables, as strings, exactly as an operator would set them. */
  env?: Record<string, string>;
  /** The built SPA to serve, if the test needs it. */
  webRoot?: string | null;
  /** Reuse this database (a file, or a PostgreSQL URL) instead of a new one. */
  dbFile?: string;
  /**
   * Serve on a fixed free port with PUBLIC_ORIGIN = http://localhost:<port>, as a browser test
   * needs: the Origin check must match the address the browser loads.
   */
  browserOrigin?: boolean;
  /** The host of that PUBLIC_ORIGIN: `localhost` unless a test needs an IP address (passkeys off). */
  browserHost?: 'localhost' | '127.0.0.1';
  /** Where the server's JSON log lines go (LOG_LEVEL defaults to silent: set it too). */
  logStream?: LogStream;
  /** GitHub and Google at local stand-ins. */
  providerEndpoints?: ProviderEndpoints;
}

/**
 * The engine the integration suites run on: SQLite, or PostgreSQL when TEST_ENGINE=postgres (the
 * server package's `postgres` test project sets it, with TEST_DATABASE_URL).
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
if (TEST_ENGINE === 'postgres' && TEST_DATABASE_URL === null) {
  throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)');
}

/** Every instance of a test run seals with this key, as a deployment's instances share SECRET_KEY. */
const POSTGRES_SECRET_KEY = randomBytes(32).toString('base64');

/**
 * Starts the real server in this process on an ephemeral port with a fresh database (see
 * {@link TEST_ENGINE}).
 *
 * @example
 * const server = await startTestServer();
 * const response = await fetch(`${server.url}/healthz`);
 * await server.dispose();
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const postgres = TEST_ENGINE === 'postgres' && !options.dbFile ? await createTestPgDatabase() : null;
  const dir = options.dbFile || postgres ? null : mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const dbFile = options.dbFile ?? postgres?.url ?? join(dir ?? '', 'tessera.db');
  const engineEnv: Record<string, string> = TEST_ENGINE === 'postgres' ? { SECRET_KEY: POSTGRES_SECRET_KEY } : {};
  let publicOrigin = '';
  const running = await listenWithRetry(async () => {
    const port = options.browserOrigin ? await findFreePort() : 0;
    const origin = options.browserOrigin
      ? { PUBLIC_ORIGIN: `http://${options.browserHost ?? 'localhost'}:${port}` }
      : {};
    const env = loadEnv({
      LOG_LEVEL: 'silent',
      ...engineEnv,
      ...options.env,
      ...origin,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbFile,
    });
    publicOrigin = env.PUBLIC_ORIGIN;
    return startServer(env, {
      webRoot: options.webRoot ?? null,
      logStream: options.logStream,
      providerEndpoints: options.providerEndpoints,
    });
  });
  const server: TestServer = {
    ...running,
    publicOrigin,
    dbFile,
    databaseEnv: { DATABASE_URL: dbFile, ...engineEnv, ...pick(options.env, 'SECRET_KEY') },
    async restart() {
      await running.close();
      const next = await startTestServer({ ...options, dbFile });
      return {
        ...next,
        async dispose() {
          await next.dispose();
          if (dir) rmSync(dir, { recursive: true, force: true });
          await postgres?.drop();
        },
      };
    },
    async dispose() {
      await running.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
  return server;
}

function pick(env: Record<string, string> | undefined, key: string): Record<string, string> {
  const value = env?.[key];
  return value === undefined ? {} : { [key]: value };
}

/** A port the OS just reported free; another process may still take it, hence the retry below. */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function listenWithRetry(start: () => Promise<RunningServer>): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
      if (!inUse || attempt === 5) throw error;
    }
  }
}
