import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type SpawnedServer, spawnServer } from './spawn-server';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server';

/** A spawned server and the URL it listens at. */
export interface ListeningServer {
  server: SpawnedServer;
  url: string;
}

/** What a test starts through {@link testServers}: each stopped, or deleted, when the test ends. */
export interface TestServers {
  /**
   * The server in this process (startTestServer) with `env`, on a database of its own; its
   * `restart()`'s server is disposed in its place.
   */
  start(env?: Record<string, string>, options?: Omit<TestServerOptions, 'env'>): Promise<TestServer>;
  /** The same, logging at info (unless `env` sets LOG_LEVEL), its JSON log lines kept in order. */
  startLogging<Line>(env?: Record<string, string>): Promise<{ server: TestServer; log: Line[] }>;
  /** The built server in a child process (spawnServer), with only `env`. */
  spawn(env: Record<string, string>): SpawnedServer;
  /**
   * Two processes of the built server with `env` (one database), the second started once the first
   * listens: the first migrates the database and makes the signing key the second shares.
   */
  spawnPair(env: Record<string, string>): Promise<[ListeningServer, ListeningServer]>;
  /** A new temporary folder, deleted once the servers have stopped. */
  folder(prefix: string): string;
}

/**
 * Servers and folders that last one test: call it at a suite file's top level (it registers an
 * `afterEach` that stops every server the test started, then deletes its folders).
 *
 * @example
 * const servers = testServers();
 * it('...', async () => {
 *   const server = await servers.start({ RATE_LIMIT: 'off' });
 * });
 */
export function testServers(): TestServers {
  const stops: Array<() => Promise<unknown>> = [];
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  /** Disposed when the test ends; a restart's server is then disposed in its place. */
  const tracked = (server: TestServer): TestServer => {
    const dispose = () => server.dispose();
    stops.push(dispose);
    return {
      ...server,
      async restart() {
        const next = await server.restart();
        stops.splice(stops.indexOf(dispose), 1);
        return tracked(next);
      },
    };
  };
  const start: TestServers['start'] = async (env = {}, options = {}) =>
    tracked(await startTestServer({ ...options, env }));
  const spawn: TestServers['spawn'] = (env) => {
    const server = spawnServer(env);
    stops.push(() => server.stop());
    return server;
  };
  return {
    start,
    async startLogging<Line>(env: Record<string, string> = {}) {
      const log: Line[] = [];
      const logStream = { write: (line: string) => log.push(JSON.parse(line)) };
      return { server: await start({ LOG_LEVEL: 'info', ...env }, { logStream }), log };
    },
    spawn,
    async spawnPair(env) {
      const first = spawn(env);
      const firstUrl = await first.listening;
      const second = spawn(env);
      return [
        { server: first, url: firstUrl },
        { server: second, url: await second.listening },
      ];
    },
    folder(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      folders.push(dir);
      return dir;
    },
  };
}

/**
 * One test server for every test of a file: started before the first, disposed after the last.
 * Call it at the file's top level; read the server (the returned function) inside tests and hooks.
 *
 * @example
 * const server = sharedTestServer();
 * it('...', async () => {
 *   await fetch(`${server().url}/healthz`);
 * });
 */
export function sharedTestServer(options: TestServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(() => server?.dispose());
  return () => {
    if (server === undefined) throw new Error('the shared test server starts before the first test');
    return server;
  };
}
