import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { TRPC_PATH } from '@tessera/contract';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built SPA. Hashed assets are cached for a year; index.html never, so a deploy is
 * picked up at once. Client-side routes (`/sign-in`, …) get index.html; other misses a 404.
 */
export async function registerSpa(app: FastifyInstance, webRoot: string | null): Promise<void> {
  if (webRoot === null || !existsSync(join(webRoot, 'index.html'))) {
    app.log.warn({ webRoot }, 'No built web app found: serving the API only (run `npm run build`).');
    return;
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    wildcard: false,
    // The build writes .br and .gz beside each asset (apps/web/precompress.ts): sent as they are
    // to a browser that accepts them, with `Vary: Accept-Encoding`.
    preCompressed: true,
    setHeaders(reply, path) {
      const immutable = path.startsWith(join(webRoot, 'assets'));
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    const isPageRequest =
      request.method === 'GET' &&
      !request.url.startsWith(TRPC_PATH) &&
      (request.headers.accept ?? '').includes('text/html');
    if (!isPageRequest) return reply.code(404).send({ error: 'Not found' });
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
