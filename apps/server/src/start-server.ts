import { type Auth, type AuthConfig, createAuth, defaultAuthConfig, type SecretBox } from '@tessera/auth';
import type { FastifyBaseLogger } from 'fastify';
import { openDatabase, type ServerDatabase } from './database';
import type { Env } from './env';
import { identityProvidersFrom, type ProviderEndpoints } from './identity-providers';
import { loadSecretKey, type SecretKeySource } from './secret-key';
import { buildServer, type LogStream } from './server';

/** Access tokens are for this API alone. */
export const ACCESS_TOKEN_AUDIENCE = 'tessera';

export interface StartServerOptions {
  /** The bundled server's copy of every migrations folder (see `migrationsFrom`); tests leave it out. */
  migrationsRoot?: string;
  webRoot: string | null;
  logStream?: LogStream;
  /** GitHub and Google elsewhere than their public addresses: tests' stand-ins only. */
  providerEndpoints?: ProviderEndpoints;
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
  // Until the logger exists, what goes wrong in the background is kept to be logged once it does.
  const early: Array<(log: FastifyBaseLogger) => void> = [];
  let logger: FastifyBaseLogger | null = null;
  const report = (write: (log: FastifyBaseLogger) => void): void => {
    if (logger) write(logger);
    else early.push(write);
  };
  const reportConnectionError = (error: Error) =>
    report((log) =>
      log.warn(
        { event: 'database_connection_lost', err: error },
        'A database connection was lost; the pool replaces it',
      ),
    );
  const reportBackgroundError = (error: unknown) =>
    report((log) => log.error({ event: 'background_task_failed', err: error }, 'work after an answer failed'));
  const database = await openDatabase(env, {
    migrationsRoot: options.migrationsRoot,
    onConnectionError: reportConnectionError,
  });
  let auth: Auth | undefined;
  try {
    const secretKey = loadSecretKey(env, database.file);
    auth = await createServerAuth(env, database, secretKey.box, {
      onBackgroundError: reportBackgroundError,
      providerEndpoints: options.providerEndpoints,
    });
    const app = await buildServer({ env, database, auth, webRoot: options.webRoot, logStream: options.logStream });
    // From here on, a lost connection or a failed background task goes straight to the log.
    logger = app.log;
    for (const write of early.splice(0)) write(app.log);
    logSecretKeySource(app.log, secretKey.source);
    if (auth.passkeysUnavailable) app.log.warn({ event: 'passkeys_off' }, auth.passkeysUnavailable);
    const url = await app.listen({
      port: env.PORT,
      host: env.HOST,
      // The address to open is PUBLIC_ORIGIN: the listening one (127.0.0.1) is refused for sign-in.
      listenTextResolver: (address) => `Tessera is ready: open ${env.PUBLIC_ORIGIN} (listening on ${address})`,
    });
    const started = auth;
    return {
      url,
      async close() {
        await app.close();
        await started.close();
        await database.close();
      },
    };
  } catch (error) {
    await auth?.close();
    await database.close();
    throw error;
  }
}

/**
 * The auth core as a server runs it, on the database `openDatabase` opened: on a SQLite file the
 * timed work (other processes' revocations every `REVOCATION_POLL_MS`, expired refresh
 * successors) runs in a worker thread, so a locked database never stalls a request that only
 * checks an access token; on PostgreSQL revocations arrive by LISTEN/NOTIFY.
 *
 * @example
 * const auth = await createServerAuth(env, database, loadSecretKey(env, database.file).box);
 */
export function createServerAuth(
  env: Env,
  database: ServerDatabase,
  box: SecretBox,
  {
    onBackgroundError = () => undefined,
    providerEndpoints,
  }: { onBackgroundError?: (error: unknown) => void; providerEndpoints?: ProviderEndpoints } = {},
): Promise<Auth> {
  const throttleLimits = env.RATE_LIMIT === 'off' ? 'off' : undefined;
  return createAuth({
    store: database.store,
    config: authConfigFrom(env),
    box,
    background: database.background,
    revocationFeed: database.revocationFeed,
    revocationPollMs: env.REVOCATION_POLL_MS,
    throttleLimits,
    onBackgroundError,
    identityProviders: identityProvidersFrom(env, providerEndpoints),
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
    passwordResetTtl: env.PASSWORD_RESET_TTL,
    emailChangeTtl: env.EMAIL_CHANGE_TTL,
    requireVerifiedEmail: env.REQUIRE_VERIFIED_EMAIL,
    rpName: env.RP_NAME,
    reauthMaxAge: env.REAUTH_MAX_AGE,
    requireTwoFactorForAdmins: env.REQUIRE_2FA_FOR_ADMINS,
    dpop: env.DPOP,
    dpopNonce: env.DPOP_NONCE === 'on',
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
