// `npm run user:role -- <email> <role>`: gives an account a role (the only way to make the first
// admin). The account's sessions end, so no live token carries the old role: the user signs in
// again. Runs bundled as apps/server/dist/set-user-role.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '@tessera/contract';
import { createDb } from '@tessera/db';
import { loadEnv } from './env';
import { migrationsFrom } from './features';
import { loadSecretKey } from './secret-key';
import { createServerAuth } from './start-server';

const migrationsRoot = fileURLToPath(new URL('./migrations', import.meta.url));
const isRole = (value: string | undefined): value is Role => ROLES.some((role) => role === value);

async function setUserRole(email: string | undefined, role: string | undefined): Promise<void> {
  if (!email || !isRole(role)) throw new Error(`usage: npm run user:role -- <email> <${ROLES.join('|')}>`);
  const env = loadEnv();
  const file = env.DATABASE_URL.startsWith('file:') ? fileURLToPath(env.DATABASE_URL) : env.DATABASE_URL;
  if (!existsSync(file)) throw new Error(`no database at ${env.DATABASE_URL}: start the server once first`);
  const db = createDb(env.DATABASE_URL, migrationsFrom(migrationsRoot));
  try {
    const auth = await createServerAuth(env, db, loadSecretKey(env, db.file).box);
    try {
      const user = auth.setRole(email.trim().toLowerCase(), role);
      if (!user) throw new Error(`no account with the email ${email}`);
      process.stdout.write(`tessera: ${user.email} is now ${role}; their sessions have ended\n`);
    } finally {
      await auth.close();
    }
  } finally {
    db.close();
  }
}

setUserRole(process.argv[2], process.argv[3]).catch((error: unknown) => {
  process.stderr.write(`tessera: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
