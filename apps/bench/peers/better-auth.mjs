// Peer: Better Auth, with its own schema on better-sqlite3 (DATABASE_FILE) or on PostgreSQL
// through a `pg` pool (DATABASE_URL), email and password sign-in,
// served by its Node handler on node:http. `GET /api/auth/get-session` is what its clients call
// to learn who is signed in. COOKIE_CACHE=on turns on its cookie cache (a signed copy of the
// session in a second cookie, so most reads skip the database); off, every read is a query.
import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { openPool } from './postgres.mjs';
import { openDatabase } from './sqlite.mjs';

const baseURL = `http://127.0.0.1:${process.env.PORT}`;
const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET ?? 'bench-only-secret-bench-only-secret-bench-only',
  database: openPool(process.env.DATABASE_URL) ?? openDatabase(process.env.DATABASE_FILE),
  emailAndPassword: { enabled: true },
  // The benchmark signs up many requests from one address; its throttle would refuse the load.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  // An hour, longer than a whole benchmark run: a browser would take the renewed cookie each time
  // the cache lapses (5 minutes by default), which autocannon's fixed headers cannot.
  session: { cookieCache: { enabled: process.env.COOKIE_CACHE === 'on', maxAge: 3600 } },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const server = createServer(toNodeHandler(auth));
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write(`listening on ${process.env.PORT}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
