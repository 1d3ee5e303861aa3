// Peer: a minimal tRPC v11 + Fastify server answering a constant public query. The framework's
// floor on this machine, outside Tessera's process.
import { initTRPC } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify from 'fastify';
import { listen } from './listen.mjs';

const t = initTRPC.create();
const appRouter = t.router({ ping: t.procedure.query(() => ({ ok: true })) });

const app = Fastify({ logger: false });
await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router: appRouter } });
await listen(app, Number(process.env.PORT));
