import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { FeatureMigrations } from '../../feature-migrations';
import { pgSchema } from './schema';

export type TesseraPgDb = NodePgDatabase<typeof pgSchema> & { $client: pg.Pool };

export interface PgDbHandle {
  db: TesseraPgDb;
  pool: pg.Pool;
  /** Where the pool connects: for a listener that needs a connection of its own (LISTEN). */
  url: string;
  close(): Promise<void>;
}

export interface CreatePgDbOptions {
  /** Connections in the pool (`DATABASE_POOL_MAX`, default 10). */
  poolMax?: number;
  /** Where drizzle-kit's PostgreSQL migrations are; defaults to this package's `drizzle-pg/`. */
  migrationsFolder?: string;
  /** Features' migrations (their `pgFolder`), applied after the core's, in this order. */
  features?: readonly FeatureMigrations[];
  /** Called when an idle connection fails (the server restarted, the connection was killed). */
  onIdleError?: (error: Error) => void;
}

/** This package's PostgreSQL migrations, for callers that bundle the code elsewhere. */
export const defaultPgMigrationsFolder = fileURLToPath(new URL('../../../drizzle-pg', import.meta.url));

/**
 * Serialises migrations across every instance starting at once on one database: a session-level
 * advisory lock (an arbitrary, fixed key: "tess" in ASCII). The first migrates; the others wait,
 * then find the journal up to date.
 */
const MIGRATION_LOCK_KEY = 0x74657373;

/** Whether `url` names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/**
 * Opens a pool on the PostgreSQL database named by `url` and brings its schema up to date under
 * an advisory lock. An idle connection that dies is reported to `onIdleError` (not thrown: that
 * would end the process) and the pool opens a new one when next asked.
 *
 * @example
 * const { db, close } = await createPgDb('postgres://tessera@db.internal/tessera', { poolMax: 10 });
 */
export async function createPgDb(url: string, options: CreatePgDbOptions = {}): Promise<PgDbHandle> {
  // A database that does not answer fails a request in seconds (503), instead of holding it forever.
  const pool = new pg.Pool({ connectionString: url, max: options.poolMax ?? 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', (error) => options.onIdleError?.(error));
  try {
    await migrateUnderLock(pool, options.migrationsFolder ?? defaultPgMigrationsFolder, options.features ?? []);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = drizzle(pool, { schema: pgSchema });
  return { db, pool, url, close: () => pool.end() };
}

async function migrateUnderLock(
  pool: pg.Pool,
  migrationsFolder: string,
  features: readonly FeatureMigrations[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const db = drizzle(client);
      await migrate(db, { migrationsFolder });
      for (const feature of features) {
        if (!/^[a-z][a-z0-9_]*$/.test(feature.name))
          throw new Error(`Feature name "${feature.name}" must be snake_case`);
        // A journal of its own per feature, as on SQLite: features never collide over numbers.
        await migrate(db, {
          migrationsFolder: feature.pgFolder,
          migrationsTable: `__drizzle_migrations_${feature.name}`,
        });
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
