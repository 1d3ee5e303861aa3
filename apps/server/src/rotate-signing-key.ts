// `npm run keys:rotate`: makes a new signing key now (after a suspected leak, or by policy). Tokens
// signed with the old key stay valid until they expire; every running server signs with the new
// key within a minute. Runs bundled as apps/server/dist/rotate-signing-key.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDb } from '@tessera/db';
import { loadEnv } from './env';
import { migrationsFrom } from './features';
import { loadSecretKey } from './secret-key';
import { createServerAuth } from './start-server';

const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));

async function rotate(): Promise<void> {
  const env = loadEnv();
  const file = env.DATABASE_URL.startsWith('file:') ? fileURLToPath(env.DATABASE_URL) : env.DATABASE_URL;
  // A mistyped DATABASE_URL must not quietly create a new, empty database.
  if (!existsSync(file)) throw new Error(`no database at ${env.DATABASE_URL}: start the server once first`);
  const db = createDb(env.DATABASE_URL, migrationsFrom(migrationsRoot));
  try {
    const auth = await createServerAuth(env, db, loadSecretKey(env, db.file).box);
    try {
      const before = new Set((await auth.jwks()).keys.map((key) => key.kid));
      await auth.rotateSigningKey();
      const added = (await auth.jwks()).keys.find((key) => !before.has(key.kid));
      process.stdout.write(`tessera: new signing key ${added?.kid ?? '(none)'} in ${env.DATABASE_URL}\n`);
    } finally {
      await auth.close();
    }
  } finally {
    db.close();
  }
}

rotate().catch((error: unknown) => {
  process.stderr.write(
    `tessera: cannot rotate the signing key: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
