import { fileURLToPath } from 'node:url';
import { type Env, loadEnv } from './env';
import { describeStartFailure } from './start-failure';
import { type RunningServer, startServer } from './start-server';

/** A request still running after this long on shutdown is cut off. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

// This file only ever runs bundled as apps/server/dist/main.js: paths are relative to that.
const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));
const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Expected failures end with one line naming what to change; no stack. */
function fail(line: string): never {
  process.stderr.write(`tessera: cannot start: ${line}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  let server: RunningServer;
  try {
    server = await startServer(env, { migrationsRoot, webRoot });
  } catch (error) {
    fail(describeStartFailure(error, env));
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`tessera: ${signal} received, shutting down\n`);
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
