// Peer: the design the JWT is measured against. tRPC v11 + Fastify, an opaque session id in a
// cookie, and one prepared SELECT (session joined to its user) on every request: on SQLite
// (DATABASE_FILE), or on PostgreSQL (DATABASE_URL) through a `pg` pool, as a named prepared
// statement.
import { randomBytes } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { parse } from 'cookie';
import Fastify from 'fastify';
import { listen } from './listen.mjs';
import { openPool } from './postgres.mjs';
import { openDatabase } from './sqlite.mjs';

/** Epoch ms: `integer` on SQLite (64-bit), `bigint` on PostgreSQL. */
const schema = (epochMs) => `
  create table if not exists users (id text primary key, email text not null unique, name text, role text not null);
  create table if not exists sessions (
    id text primary key, user_id text not null references users(id), expires_at ${epochMs} not null
  );
`;
const SELECT =
  'select u.id, u.email, u.name, u.role from sessions s join users u on u.id = s.user_id where s.id = $1 and s.expires_at > $2';

// The session id the benchmark sends: printed for it to read.
const sessionId = randomBytes(32).toString('base64url');
const expiresAt = Date.now() + 3_600_000;

/** (sid, now) → the user or undefined, on the engine this peer was given. */
async function openLookup() {
  const pool = openPool(process.env.DATABASE_URL);
  if (pool) {
    await pool.query(schema('bigint'));
    await pool.query(`insert into users values ('u1', 'bench@example.com', null, 'user') on conflict do nothing`);
    await pool.query('insert into sessions values ($1, $2, $3)', [sessionId, 'u1', expiresAt]);
    return async (sid, now) =>
      (await pool.query({ name: 'user-by-session', text: SELECT, values: [sid, now] })).rows[0];
  }
  const db = openDatabase(process.env.DATABASE_FILE);
  db.exec(schema('integer'));
  db.prepare(`insert or ignore into users values ('u1', 'bench@example.com', null, 'user')`).run();
  db.prepare('insert into sessions values (?, ?, ?)').run(sessionId, 'u1', expiresAt);
  const userBySession = db.prepare(SELECT.replace('$1', '?').replace('$2', '?'));
  return (sid, now) => userBySession.get(sid, now);
}
const userBySession = await openLookup();

const signedIn = (user) => {
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED' });
  return user;
};

const t = initTRPC.context().create();
const appRouter = t.router({
  me: t.procedure.query(({ ctx }) => {
    const sid = parse(ctx.cookie ?? '').sid;
    const found = sid ? userBySession(sid, Date.now()) : undefined;
    // SQLite answers at once, PostgreSQL with a promise: neither waits longer than it must.
    return found instanceof Promise ? found.then(signedIn) : signedIn(found);
  }),
});

const app = Fastify({ logger: false });
await app.register(fastifyTRPCPlugin, {
  prefix: '/trpc',
  trpcOptions: { router: appRouter, createContext: ({ req }) => ({ cookie: req.headers.cookie }) },
});
process.stdout.write(`session ${sessionId}\n`);
await listen(app, Number(process.env.PORT));
