import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createContextInner, retryAfterSeconds } from '@tessera/api';
import type { Auth } from '@tessera/auth';
import { MAX_BATCH_SIZE, TRPC_PATH } from '@tessera/contract';
import { type DatabaseHealth, isUnstorableText } from '@tessera/db';
import { logTransport, smtpTransport } from '@tessera/mail';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import { type AppRouter, appRouter } from './app-router';
import type { ServerDatabase } from './database';
import { type Env, isLocalOrigin } from './env';
import { scheduleHousekeeping } from './housekeeping';
import { serializeError } from './log-errors';
import { registerProviderCallback } from './provider-callback';
import { requestInfo } from './request-info';
import { watchRevocationFeed } from './revocation-watch';
import { registerSecurityHeaders } from './security-headers';
import { registerSpa } from './spa';
import { trpcErrorBody } from './trpc-error-body';

/** Request bodies larger than this are refused before parsing (contract: PAYLOAD_TOO_LARGE). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface BuildServerOptions {
  env: Env;
  database: ServerDatabase;
  auth: Auth;
  /** The built SPA (apps/web/dist), or null to serve the API only. */
  webRoot: string | null;
  /** Where log lines go instead of stdout (tests read them); the level is always `env.LOG_LEVEL`. */
  logStream?: LogStream;
}

/**
 * The HTTP server: tRPC at /trpc, the SPA, /healthz and the JWKS. It does not listen; see
 * `startServer`.
 *
 * @example
 * const app = await buildServer({ env, database, auth, webRoot: null });
 * await app.listen({ port: 0 });
 */
/** A destination for pino's JSON lines. */
export interface LogStream {
  write(line: string): void;
}

export async function buildServer({
  env,
  database,
  auth,
  webRoot,
  logStream,
}: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: env.LOG_LEVEL,
      ...(logStream ? { stream: logStream } : readableWhenInteractive()),
      // Credentials never reach a log line, whatever a later serializer adds.
      // A DPoP proof too: within its minute it could be replayed at another instance.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers.dpop', 'res.headers["set-cookie"]'],
      // Errors without their query parameters: no hash or email reaches a log line.
      serializers: { req: requestForLog, err: serializeError },
    },
    bodyLimit: BODY_LIMIT_BYTES,
    ...connectionLimits(env),
    trustProxy: trustedProxies(env.TRUST_PROXY),
    // One line per request, written when it is answered (the onResponse hook below), instead of two.
    logController: new LogController({ disableRequestLogging: true }),
    // Ids are ours, never taken from a client header that could forge log correlation.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // Batched calls put every procedure name in the path.
    routerOptions: { maxParamLength: 1000 },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  if (env.RATE_LIMIT === 'off') {
    app.log.warn(
      { event: 'rate_limit_off' },
      'RATE_LIMIT=off: sign-in, registration, password-change and refresh throttling is OFF. For load tests only: never in production.',
    );
  }

  registerSecurityHeaders(app, env.PUBLIC_ORIGIN);

  // 503 when the database does not answer, or when this process may be missing revocations:
  // a load balancer then sends its traffic to processes that are up to date.
  app.get('/healthz', async (_request, reply) => {
    const writes = await databaseHealthWithin(database, auth, HEALTH_PROBE_TIMEOUT_MS);
    const revocations = auth.revocationHealth().stale ? 'stale' : 'ok';
    const healthy = writes === 'ok' && revocations === 'ok';
    return reply
      .code(healthy ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: healthy ? 'ok' : 'unavailable', checks: { database: writes, revocations } });
  });

  registerProviderCallback(app, auth, env.PUBLIC_ORIGIN);

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=60').send(await auth.jwks());
  });

  await app.register(async (trpcScope) => {
    // Answers carry access tokens and account data: no cache (browser, proxy, CDN) may keep them
    // (RFC 6749 §5.1, OWASP Session Management).
    trpcScope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      // DPOP_NONCE=on: every answer carries the nonce the next proofs must hold (RFC 9449 §8).
      const nonce = auth.dpopNonce();
      if (nonce !== null) reply.header('dpop-nonce', nonce);
    });
    // tRPC's adapter also parses multipart bodies: a cross-site HTML form could then run a
    // mutation. Only JSON is accepted, which a form cannot send.
    trpcScope.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST') return;
      const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        return reply
          .code(415)
          .send(trpcErrorBody('UNSUPPORTED_MEDIA_TYPE', 415, 'Requests must have Content-Type: application/json.'));
      }
    });
    trpcScope.setErrorHandler((error, _request, reply) => {
      if (error instanceof Error && 'code' in error && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.code(413).send(trpcErrorBody('PAYLOAD_TOO_LARGE', 413, 'Request body is too large.'));
      }
      return reply.send(error);
    });
    await trpcScope.register(fastifyTRPCPlugin, {
      prefix: TRPC_PATH,
      trpcOptions: {
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: ({ req, res }) =>
          createContextInner({
            auth,
            stores: database.stores,
            publicOrigin: env.PUBLIC_ORIGIN,
            request: requestInfo(req),
            response: { appendHeader: (name, value) => void res.header(name, value) },
            log: req.log,
          }),
        responseMeta({ errors }) {
          const wait = retryAfterSeconds(errors);
          return wait === null ? {} : { headers: { 'retry-after': String(wait) } };
        },
        onError({ error, path, req }) {
          if (error.code === 'INTERNAL_SERVER_ERROR') {
            req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
          } else if (error.code === 'SERVICE_UNAVAILABLE' && error.cause) {
            req.log.warn({ err: error.cause, path }, 'procedure failed: database unavailable');
          } else if (error.code === 'BAD_REQUEST' && isUnstorableText(error.cause)) {
            // The contract should have refused this text: a warning, so the gap is seen and closed.
            req.log.warn({ err: error.cause, path }, 'procedure refused: text the database cannot store');
          } else {
            req.log.info({ path, code: error.code }, 'procedure refused');
          }
        },
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>);
  });

  // Mail leaves through SMTP, or is logged: in development, or elsewhere only when MAIL_TRANSPORT=log
  // asked for it (env.ts), and then every logged mail is a warning.
  const transport =
    env.MAIL_TRANSPORT === 'smtp'
      ? smtpTransport(env.SMTP_URL, env.MAIL_FROM)
      : logTransport(app.log, env.MAIL_FROM, { warn: !isLocalOrigin(env.PUBLIC_ORIGIN) });
  const mailSender = auth.startMailSender(transport, app.log);
  const stopWatching = watchRevocationFeed(auth, app.log);
  const stopPruning = scheduleHousekeeping(auth, app.log);
  app.addHook('onClose', async () => {
    await mailSender.stop();
    transport.close();
    stopWatching();
    await stopPruning();
  });

  await registerSpa(app, webRoot);
  return app;
}

/**
 * A connection with nothing moving either way for this long is closed: a client that stops
 * reading its answer, or never sends another byte. No route here streams or runs this long.
 */
const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

/**
 * Limits on slow clients (issue 20, finding 12). Node enforces the request limit by looking at
 * the open connections every `connectionsCheckingInterval` (30 s by its default, which would let
 * a request live half a minute past its limit): once a second here.
 */
function connectionLimits(env: Env): FastifyHttpOptions<Server> {
  return {
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: env.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: IDLE_CONNECTION_TIMEOUT_MS,
    // Node's own options, as it creates the server: there it checks headersTimeout against
    // requestTimeout, and fixes the checking interval.
    http: {
      requestTimeout: env.REQUEST_TIMEOUT_MS,
      // Headers are part of the request: they too must arrive within its limit.
      headersTimeout: env.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
    },
  };
}

/** A database that cannot answer and prove a write in this long is not healthy, whatever holds it up. */
const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/** A ping, then the background write probe; `unavailable` if either fails or takes too long. */
async function databaseHealthWithin(database: ServerDatabase, auth: Auth, timeoutMs: number): Promise<DatabaseHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<DatabaseHealth>((resolve) => {
    timer = setTimeout(() => resolve('unavailable'), timeoutMs);
  });
  const probe = async (): Promise<DatabaseHealth> =>
    (await database.ping()) ? auth.databaseWriteHealth() : 'unavailable';
  try {
    return await Promise.race([probe().catch((): DatabaseHealth => 'unavailable'), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a request log line says of the request: method, path and client, never the query string,
 * where a GET could carry `?input=` with a password in it.
 */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url.split('?')[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes the function Fastify builds from a number
 * itself (its types accept only the function): the first `count` hops are trusted proxies, and
 * the client is the next address to the left in X-Forwarded-For.
 */
function trustedProxies(setting: Env['TRUST_PROXY']): FastifyServerOptions['trustProxy'] {
  if (typeof setting !== 'number') return setting;
  return (_address: string, hop: number) => hop < setting;
}

/**
 * A person at a terminal reads lines, not JSON: pino-pretty then, JSON for everything else
 * (log collectors, tests, CI).
 */
function readableWhenInteractive() {
  if (!process.stdout.isTTY) return {};
  return { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } };
}
