import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { schema } from './schema';

export type TesseraDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface DbHandle {
  db: TesseraDb;
  /** The SQLite file, for readers that open a connection of their own; null for `:memory:`. */
  file: string | null;
  /** Answers when the database does: what `/healthz` asks. */
  ping(): boolean;
  close(): void;
}

export interface CreateDbOptions {
  /** Where drizzle-kit's migrations are; defaults to this package's `drizzle/` folder. */
  migrationsFolder?: string;
  /** Milliseconds a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** This package's own migrations folder, for callers that bundle the code elsewhere. */
export const defaultMigrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Opens the database named by `url` and brings its schema up to date.
 *
 * A file path (or `file:` URL) opens SQLite in WAL mode with foreign keys on, so several
 * server processes can share one file; `:memory:` gives tests a private database.
 *
 * @example
 * const { db, close } = createDb('./data/tessera.db');
 */
export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('DATABASE_URL: Postgres is not supported yet; use a SQLite file path.');
  }
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });

  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable in WAL mode except for the last commits before a power loss.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);

  const db = drizzle(sqlite, { schema });
  migrateRetryingOnce(db, options.migrationsFolder ?? defaultMigrationsFolder);

  return {
    db,
    file: path === ':memory:' ? null : resolve(path),
    ping: () => sqlite.prepare('select 1 as ok').get() !== undefined,
    close: () => sqlite.close(),
  };
}

/**
 * Two processes starting on one new file can race to create the tables: the loser's CREATE
 * fails once the winner commits. Drizzle's migrator then rolls back, and a second pass finds
 * the winner's journal and has nothing left to do.
 */
function migrateRetryingOnce(db: TesseraDb, migrationsFolder: string): void {
  try {
    migrate(db, { migrationsFolder });
  } catch {
    migrate(db, { migrationsFolder });
  }
}

/** The handle a `db.transaction(...)` callback receives. */
export type TesseraTransaction = Parameters<Parameters<TesseraDb['transaction']>[0]>[0];
