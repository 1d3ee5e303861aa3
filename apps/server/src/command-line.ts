import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Auth } from '@tessera/auth';
import { isPostgresUrl } from '@tessera/db';
import { databaseLabel, openDatabase } from './database';
import { type Env, loadEnv, rawDatabaseUrl } from './env';
import { loadSecretKey } from './secret-key';
import { createServerAuth } from './start-server';

/** The bundled tools sit beside dist/main.js, so their migrations are its. */
const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Runs a command-line task on the deployment's database, with the auth core as the server
 * builds it, then closes both. The task answers one line; every answer, and every failure,
 * names the database (its path, or its host and name, never a password). A failure prints one
 * line and exits 1.
 *
 * @example
 * runCommand('rotate the signing key', async (auth) => `new signing key ${await newKid(auth)}`);
 */
export function runCommand(what: string, task: (auth: Auth, env: Env) => Promise<string>): void {
  const database = databaseLabel(rawDatabaseUrl());
  withAuth(task).then(
    (answer) => process.stdout.write(`tessera: ${answer} (database: ${database})\n`),
    (error: unknown) => {
      const reason = error instanceof Error ? error.message.replace(/^Invalid environment:\n\s*/, '') : String(error);
      process.stderr.write(`tessera: cannot ${what} (database: ${database}): ${reason.replace(/\n\s*/g, '; ')}\n`);
      process.exit(1);
    },
  );
}

async function withAuth(task: (auth: Auth, env: Env) => Promise<string>): Promise<string> {
  const env = loadEnv();
  if (!isPostgresUrl(env.DATABASE_URL)) {
    const file = env.DATABASE_URL.startsWith('file:') ? fileURLToPath(env.DATABASE_URL) : env.DATABASE_URL;
    // A mistyped DATABASE_URL must not quietly create a new, empty database.
    if (!existsSync(file))
      throw new Error(`DATABASE_URL: no database at ${env.DATABASE_URL}: start the server once first`);
  }
  const database = await openDatabase(env, { migrationsRoot });
  try {
    const auth = await createServerAuth(env, database, loadSecretKey(env, database.file).box);
    try {
      return await task(auth, env);
    } finally {
      await auth.close();
    }
  } finally {
    await database.close();
  }
}
