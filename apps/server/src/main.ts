import { fileURLToPath } from 'node:url';
import { loadEnv } from './env';
import { type RunningServer, startServer } from './start-server';

/** A request still running after this long on shutdown is cut off. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

// This file only ever runs bundled as apps/server/dist/main.js: paths are relative to that.
const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));
const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

async function main(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer(loadEnv(), { migrationsRoot, webRoot });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Drizzle wraps the database's own words ("table already exists") in its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    process.stderr.write(`tessera: cannot start: ${message}${cause}\n`);

    process.exit(1);
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
