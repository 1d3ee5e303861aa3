import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import type { FeatureMigrations } from '../../feature-migrations';
import { schema } from '../../schema';

/**
 * Whether the database would take a write: `ok`, `read-only` when it reads but refuses writes
 * (every sign-in would fail), `unavailable` when it does not answer.
 */
export type DatabaseHealth = 'ok' | 'read-only' | 'unavailable';

export type TesseraDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface DbHandle {
  db: TesseraDb;
  /** The SQLite file, for readers that open a connection of their own; null for `:memory:`. */
  file: string | null;
  /** Answers when the connection does (no file access: it cannot block). */
  ping(): boolean;
  close(): void;
}

export interface CreateDbOptions {
  /** Where drizzle-kit's migrations are; defaults to this package's `drizzle/` folder. */
  migrationsFolder?: string;
  /** Features' migrations, applied after the core's, in this order (a stable order across starts). */
  features?: readonly FeatureMigrations[];
  /** Milliseconds a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** This package's own migrations folder, for callers that bundle the code elsewhere. */
export const defaultMigrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url));

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
    throw new Error('DATABASE_URL: a PostgreSQL URL is opened by createPgDb; createDb opens SQLite (a file path).');
  }
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (path !== ':memory:') prepareFile(path);

  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable in WAL mode except for the last commits before a power loss.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  // Deleted and overwritten content (an old refresh-token hash, a secret sealed anew) is zeroed
  // in the file instead of lingering in free pages for a copy of the file to find.
  sqlite.pragma('secure_delete = ON');

  const db = drizzle(sqlite, { schema });
  migrateRetryingOnce(db, { migrationsFolder: options.migrationsFolder ?? defaultMigrationsFolder });
  for (const feature of options.features ?? []) {
    if (!/^[a-z][a-z0-9_]*$/.test(feature.name)) throw new Error(`Feature name "${feature.name}" must be snake_case`);
    migrateRetryingOnce(db, {
      migrationsFolder: feature.folder,
      migrationsTable: `__drizzle_migrations_${feature.name}`,
    });
  }
  // A database that opens and reads can still refuse every write (a file, or its -wal/-shm,
  // left read-only by another user): fail now, with SQLITE_READONLY, not at the first sign-in.
  if (writeHealth(sqlite) === 'read-only') probeWrite(sqlite);
  // SQLite gives its -wal and -shm files the database file's mode; older versions left 0644.
  if (path !== ':memory:') for (const suffix of ['-wal', '-shm']) restrictIfPresent(`${path}${suffix}`);

  return {
    db,
    file: path === ':memory:' ? null : resolve(path),
    ping: () => sqlite.prepare('select 1 as ok').get() !== undefined,
    close: () => sqlite.close(),
  };
}

/**
 * Proves the connection may write without writing anything: a write transaction that sets the
 * header's user_version to what it already is, rolled back. SQLite checks write access when the
 * first page is changed, so a read-only file throws SQLITE_READONLY here. (The server's worker
 * thread runs the same steps: packages/auth/src/engines/sqlite/worker.ts.)
 */
function probeWrite(sqlite: Database.Database): void {
  const version = Number(sqlite.pragma('user_version', { simple: true }));
  sqlite.exec('begin immediate');
  try {
    sqlite.pragma(`user_version = ${version}`);
  } finally {
    sqlite.exec('rollback');
  }
}

/**
 * {@link probeWrite} as a health answer, without waiting on locks: another writer holding the
 * lock proves the file writable, so SQLITE_BUSY is `ok`.
 *
 * @example
 * writeHealth(sqlite); // 'read-only'
 */
export function writeHealth(sqlite: Database.Database): DatabaseHealth {
  const busyTimeout = Number(sqlite.pragma('busy_timeout', { simple: true }));
  sqlite.pragma('busy_timeout = 0');
  try {
    probeWrite(sqlite);
    return 'ok';
  } catch (error) {
    const code = error instanceof Database.SqliteError ? error.code : '';
    if (code.startsWith('SQLITE_READONLY')) return 'read-only';
    return code.startsWith('SQLITE_BUSY') ? 'ok' : 'unavailable';
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/**
 * The database is the server's most private data: its folder is created 0700 and its file 0600,
 * set explicitly whatever the umask. An existing file is tightened to 0600; an existing folder is
 * left as it is (it may be shared, like /var/lib), but the files in it are ours.
 */
function prepareFile(path: string): void {
  const folder = dirname(path);
  const firstCreated = mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (firstCreated !== undefined) {
    for (let dir = folder; dir.length >= firstCreated.length; dir = dirname(dir)) chmodSync(dir, 0o700);
  }
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

function restrictIfPresent(path: string): void {
  if (existsSync(path)) chmodSync(path, 0o600);
}

/**
 * Two processes starting on one new file can race to create the tables: the loser's CREATE
 * fails once the winner commits. Drizzle's migrator then rolls back, and a second pass finds
 * the winner's journal and has nothing left to do.
 */
function migrateRetryingOnce(db: TesseraDb, config: MigrationConfig): void {
  try {
    migrate(db, config);
  } catch {
    migrate(db, config);
  }
}

/** The handle a `db.transaction(...)` callback receives. */
export type TesseraTransaction = Parameters<Parameters<TesseraDb['transaction']>[0]>[0];
