import {
  type Auth,
  type AuthConfig,
  createAuth,
  createInThreadBackground,
  createSqliteStore,
  createSqliteWorker,
  defaultAuthConfig,
  type SecretBox,
} from '@tessera/auth';
import { createDb, type DbHandle } from '@tessera/db';
import type { FastifyBaseLogger } from 'fastify';
import type { Env } from './env';
import { migrationsFrom } from './features';
import { loadSecretKey, type SecretKeySource } from './secret-key';
import { buildServer, type LogStream } from './server';

/** Access tokens are for this API alone. */
export const ACCESS_TOKEN_AUDIENCE = 'tessera';

export interface StartServerOptions {
  /** The bundled server's copy of every migrations folder (see `migrationsFrom`); tests leave it out. */
  migrationsRoot?: string;
  webRoot: string | null;
  logStream?: LogStream;
}

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stops accepting, finishes requests in flight, then closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), loads the signing keys and the sessions ended within
 * the last access-token lifetime, and listens on HOST:PORT.
 *
 * @example
 * const server = await startServer(loadEnv(), { webRoot: null });
 * await server.close();
 */
export async function startServer(env: Env, options: StartServerOptions): Promise<RunningServer> {
  const db = createDb(env.DATABASE_URL, migrationsFrom(options.migrationsRoot));
  let auth: Auth | undefined;
  try {
    const secretKey = loadSecretKey(env, db.file);
    auth = await createServerAuth(env, db, secretKey.box);
    const app = await buildServer({ env, db, auth, webRoot: options.webRoot, logStream: options.logStream });
    logSecretKeySource(app.log, secretKey.source);
    const url = await app.listen({ port: env.PORT, host: env.HOST });
    const started = auth;
    return {
      url,
      async close() {
        await app.close();
        await started.close();
        db.close();
      },
    };
  } catch (error) {
    await auth?.close();
    db.close();
    throw error;
  }
}

/**
 * The auth core as a server runs it: on a SQLite file, the timed database work (other processes'
 * revocations every `REVOCATION_POLL_MS`, expired refresh successors) runs in a worker thread
 * with its own connection, so a locked database never stalls a request that only checks an
 * access token.
 *
 * @example
 * const auth = await createServerAuth(env, db, loadSecretKey(env, db.file).box);
 */
export function createServerAuth(env: Env, db: DbHandle, box: SecretBox): Promise<Auth> {
  const background = db.file === null ? createInThreadBackground(db.db) : createSqliteWorker(db.file);
  const throttleLimits = env.RATE_LIMIT === 'off' ? 'off' : undefined;
  return createAuth({
    store: createSqliteStore(db.db),
    config: authConfigFrom(env),
    box,
    background,
    revocationPollMs: env.REVOCATION_POLL_MS,
    throttleLimits,
  });
}

/** The auth core's settings, from the validated environment. */
export function authConfigFrom(env: Env): AuthConfig {
  return {
    issuer: env.PUBLIC_ORIGIN,
    audience: ACCESS_TOKEN_AUDIENCE,
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    refreshIdleTtl: env.REFRESH_IDLE_TTL,
    sessionMaxAge: env.SESSION_MAX_AGE,
    refreshReuseGrace: env.REFRESH_REUSE_GRACE,
    signingKeyMaxAge: defaultAuthConfig.signingKeyMaxAge,
  };
}

/** Says where the key that seals the database's secrets lives, and what production should do. */
function logSecretKeySource(log: FastifyBaseLogger, source: SecretKeySource): void {
  if (source.kind !== 'file') return;
  log.warn(
    { event: 'secret_key_file', path: source.path, created: source.created },
    `${source.created ? 'Generated' : 'Using'} the key that seals the database's secrets at ${source.path} (mode 0600). ` +
      'Keep it out of database backups; in production set SECRET_KEY (32 random bytes, base64) instead.',
  );
}
