import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FeatureStores, featureStores } from '@tessera/api';
import type { AuthStore, BackgroundDb, RevocationFeed } from '@tessera/auth';
import { createListeningRevocationFeed, createPgBackground, createPgStore } from '@tessera/auth/postgres';
import { createInThreadBackground, createSqliteStore, createSqliteWorker } from '@tessera/auth/sqlite';
import { createDb, createPgDb, type DbHandle, isPostgresUrl, withoutQueryParameters } from '@tessera/db';
import type { Env } from './env';
import { features, migrationsFrom } from './features';

/**
 * The database the server runs on, whichever the engine: the auth core's store and timed work,
 * the features' stores, and what start-up and `/healthz` need. The engine is chosen here, once,
 * from DATABASE_URL; nothing above this file asks which it is.
 */
export interface ServerDatabase {
  /** The SQLite file (its folder keeps `secret.key`); null on PostgreSQL and for `:memory:`. */
  file: string | null;
  store: AuthStore;
  background: BackgroundDb;
  /** How revocations reach this instance; undefined: the auth core polls `background`. */
  revocationFeed: RevocationFeed | undefined;
  stores: FeatureStores;
  /** Answers when the database does, without waiting on locks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** The bundled server's copy of the migrations (see `migrationsFrom`); tests leave it out. */
  migrationsRoot?: string;
  /** Reported when an idle PostgreSQL connection fails (the pool replaces it by itself). */
  onConnectionError?: (error: Error) => void;
}

/**
 * Opens DATABASE_URL and brings its schema up to date: a SQLite file (the timed work in a worker
 * thread with its own connection), or PostgreSQL (a pool of DATABASE_POOL_MAX connections, and
 * one more that LISTENs for other instances' revocations).
 *
 * @example
 * const database = await openDatabase(env, { migrationsRoot });
 */
export async function openDatabase(env: Env, options: OpenDatabaseOptions = {}): Promise<ServerDatabase> {
  const migrations = migrationsFrom(options.migrationsRoot);
  if (isPostgresUrl(env.DATABASE_URL)) {
    const handle = await createPgDb(env.DATABASE_URL, {
      poolMax: env.DATABASE_POOL_MAX,
      migrationsFolder: migrations.pgMigrationsFolder,
      features: migrations.features,
      onIdleError: options.onConnectionError,
    }).catch((error: unknown) => {
      throw new DatabaseOpenError(env.DATABASE_URL, error);
    });
    const background = createPgBackground(handle.db);
    return {
      file: null,
      store: createPgStore(handle.db),
      background,
      revocationFeed: createListeningRevocationFeed({ url: env.DATABASE_URL, reader: background }),
      stores: featureStores(features.map((feature) => feature.stores.postgres(handle.db))),
      async ping() {
        try {
          await handle.pool.query('select 1');
          return true;
        } catch {
          return false;
        }
      },
      // Idempotent, as SQLite's is: a test may close a server it already restarted.
      close: once(() => handle.close()),
    };
  }
  return sqliteServerDatabase(createDb(env.DATABASE_URL, migrations));
}

/**
 * PostgreSQL could not be opened at start: one line naming DATABASE_URL (without its password)
 * and the database's own words, for the operator.
 */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  constructor(url: string, cause: unknown) {
    const where = new URL(url);
    where.password = where.password ? '***' : '';
    const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? `${cause.code}: ` : '';
    const reason = cause instanceof Error ? withoutQueryParameters(cause.message) : String(cause);
    super(
      `DATABASE_URL: cannot open the PostgreSQL database ${where.toString()} (${code}${reason}); check that it exists and that this server can reach it and log in`,
      { cause },
    );
  }
}

/**
 * The database a DATABASE_URL names, for an operator's eyes: a SQLite file's absolute path, or
 * PostgreSQL's user, host, port and database; never a password or query parameters.
 *
 * @example
 * databaseLabel('postgres://app:pw@db:5432/tessera?sslmode=require'); // 'postgres://app@db:5432/tessera'
 */
export function databaseLabel(url: string): string {
  if (isPostgresUrl(url)) {
    if (!URL.canParse(url)) return 'PostgreSQL (DATABASE_URL is not a valid URL)';
    const where = new URL(url);
    const user = where.username ? `${where.username}@` : '';
    return `${where.protocol}//${user}${where.hostname}:${where.port || '5432'}${where.pathname}`;
  }
  if (url === ':memory:') return url;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url.replace(/^file:/, '');
  return resolve(file);
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= close();
    return closing;
  };
}

/**
 * The server's view of an open SQLite database (tests that hold the handle build one from it).
 *
 * @example
 * const database = sqliteServerDatabase(createDb(':memory:', migrationsFrom(undefined)));
 */
export function sqliteServerDatabase(handle: DbHandle): ServerDatabase {
  return {
    file: handle.file,
    store: createSqliteStore(handle.db),
    // An in-memory database has no file for a worker to open: the work shares the connection.
    background: handle.file === null ? createInThreadBackground(handle.db) : createSqliteWorker(handle.file),
    revocationFeed: undefined,
    stores: featureStores(features.map((feature) => feature.stores.sqlite(handle.db))),
    async ping() {
      try {
        return handle.ping();
      } catch {
        return false;
      }
    },
    async close() {
      handle.close();
    },
  };
}
