import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../env';
import { type RunningServer, startServer } from '../start-server';

export interface TestServer extends RunningServer {
  /** PUBLIC_ORIGIN: the address a browser must load the app from. */
  publicOrigin: string;
  /** The SQLite file, in a temporary folder of its own. */
  dbFile: string;
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
  /** Reuse this database file instead of a new one. */
  dbFile?: string;
  /**
   * Serve on a fixed free port with PUBLIC_ORIGIN = http://localhost:<port>, as a browser test
   * needs: the Origin check must match the address the browser loads.
   */
  browserOrigin?: boolean;
}

/**
 * Starts the real server in this process on an ephemeral port with a fresh SQLite file.
 *
 * @example
 * const server = await startTestServer();
 * const response = await fetch(`${server.url}/healthz`);
 * await server.dispose();
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dbFile ? null : mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const dbFile = options.dbFile ?? join(dir ?? '', 'tessera.db');
  let publicOrigin = '';
  const running = await listenWithRetry(async () => {
    const port = options.browserOrigin ? await findFreePort() : 0;
    const origin = options.browserOrigin ? { PUBLIC_ORIGIN: `http://localhost:${port}` } : {};
    const env = loadEnv({
      LOG_LEVEL: 'silent',
      ...options.env,
      ...origin,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbFile,
    });
    publicOrigin = env.PUBLIC_ORIGIN;
    return startServer(env, { webRoot: options.webRoot ?? null });
  });
  const server: TestServer = {
    ...running,
    publicOrigin,
    dbFile,
    async restart() {
      await running.close();
      const next = await startTestServer({ ...options, dbFile });
      return {
        ...next,
        async dispose() {
          await next.dispose();
          if (dir) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async dispose() {
      await running.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
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
