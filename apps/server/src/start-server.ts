import { type AuthConfig, createAuth } from '@tessera/auth';
import { createDb } from '@tessera/db';
import type { FastifyServerOptions } from 'fastify';
import type { Env } from './env';
import { buildServer } from './server';

/** Access tokens are for this API alone. */
export const ACCESS_TOKEN_AUDIENCE = 'tessera';

export interface StartServerOptions {
  /** drizzle-kit's migrations; the bundled server ships its own copy. */
  migrationsFolder?: string;
  webRoot: string | null;
  logger?: FastifyServerOptions['logger'];
}

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Stops accepting, finishes requests in flight, then closes the database. */
  close(): Promise<void>;
}

/**
 * Opens the database (applying migrations), loads the signing keys and listens on HOST:PORT.
 *
 * @example
 * const server = await startServer(loadEnv(), { webRoot: null });
 * await server.close();
 */
export async function startServer(env: Env, options: StartServerOptions): Promise<RunningServer> {
  const db = createDb(env.DATABASE_URL, { migrationsFolder: options.migrationsFolder });
  try {
    const auth = await createAuth({ db: db.db, config: authConfigFrom(env) });
    const app = await buildServer({ env, db, auth, webRoot: options.webRoot, logger: options.logger });
    const url = await app.listen({ port: env.PORT, host: env.HOST });
    return {
      url,
      async close() {
        await app.close();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
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
    signingKeyMaxAge: 30 * 24 * 3600,
  };
}
