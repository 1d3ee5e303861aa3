import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Auth } from '@tessera/auth';
import { isPostgresUrl } from '@tessera/db';
import { openDatabase } from './database';
import { type Env, loadEnv } from './env';
import { loadSecretKey } from './secret-key';
import { createServerAuth } from './start-server';

/** The bundled tools sit beside dist/main.js, so their migrations are its. */
const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Runs a command-line task on the deployment's database, with the auth core as the server
 * builds it, then closes both. Any failure prints one line and exits 1.
 *
 * @example
 * runCommand('rotate the signing key', async (auth) => auth.rotateSigningKey());
 */
export function runCommand(what: string, task: (auth: Auth, env: Env) => Promise<void>): void {
  withAuth(task).catch((error: unknown) => {
    process.stderr.write(`tessera: cannot ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

async function withAuth(task: (auth: Auth, env: Env) => Promise<void>): Promise<void> {
  const env = loadEnv();
  if (!isPostgresUrl(env.DATABASE_URL)) {
    const file = env.DATABASE_URL.startsWith('file:') ? fileURLToPath(env.DATABASE_URL) : env.DATABASE_URL;
    // A mistyped DATABASE_URL must not quietly create a new, empty database.
    if (!existsSync(file)) throw new Error(`no database at ${env.DATABASE_URL}: start the server once first`);
  }
  const database = await openDatabase(env, { migrationsRoot });
  try {
    const auth = await createServerAuth(env, database, loadSecretKey(env, database.file).box);
    try {
      await task(auth, env);
    } finally {
      await auth.close();
    }
  } finally {
    await database.close();
  }
}
