// Peer: the design the JWT is measured against. tRPC v11 + Fastify, an opaque session id in a
// cookie, and one prepared SQLite SELECT (session joined to its user) on every request.
import { randomBytes } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { parse } from 'cookie';
import Fastify from 'fastify';
import { listen } from './listen.mjs';
import { openDatabase } from './sqlite.mjs';

const db = openDatabase(process.env.DATABASE_FILE);
db.exec(`
  create table if not exists users (id text primary key, email text not null unique, name text, role text not null);
  create table if not exists sessions (
    id text primary key, user_id text not null references users(id), expires_at integer not null
  );
`);
// The session id the benchmark sends: printed for it to read.
const sessionId = randomBytes(32).toString('base64url');
db.prepare(`insert or ignore into users values ('u1', 'bench@example.com', null, 'user')`).run();
db.prepare('insert into sessions values (?, ?, ?)').run(sessionId, 'u1', Date.now() + 3_600_000);
const userBySession = db.prepare(
  'select u.id, u.email, u.name, u.role from sessions s join users u on u.id = s.user_id where s.id = ? and s.expires_at > ?',
);

const t = initTRPC.context().create();
const appRouter = t.router({
  me: t.procedure.query(({ ctx }) => {
    const sid = parse(ctx.cookie ?? '').sid;
    const user = sid ? userBySession.get(sid, Date.now()) : undefined;
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED' });
    return user;
  }),
});

const app = Fastify({ logger: false });
await app.register(fastifyTRPCPlugin, {
  prefix: '/trpc',
  trpcOptions: { router: appRouter, createContext: ({ req }) => ({ cookie: req.headers.cookie }) },
});
process.stdout.write(`session ${sessionId}\n`);
await listen(app, Number(process.env.PORT));
