import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, createPgDb } from '@tessera/db';
import { createTestPgDatabase, NO_POSTGRES_REASON, SKIP_POSTGRES } from '@tessera/db/testing/postgres';
import { createPgBackground, createPgStore } from '../engines/postgres';
import { createInThreadBackground, createSqliteStore, createSqliteWorker } from '../engines/sqlite';
import type { BackgroundDb } from '../index';
import type { AuthStore } from './store';

/**
 * The engines the store conformance suite (store.test.ts) runs on, each as a server runs it.
 * Test support only: nothing in the server imports this.
 */

/** One engine's auth store and timed work, on an empty database. */
export interface OpenStore {
  store: AuthStore;
  background: BackgroundDb;
  /** Closes both. */
  close(): Promise<void>;
}

/** An engine's database for one test file: `fresh()` gives each test an empty one. */
export interface EngineDatabase {
  fresh(): Promise<OpenStore>;
  /** Deletes it. */
  close(): Promise<void>;
}

export interface StoreEngine {
  name: string;
  /** Why it cannot run on this machine (its cases are skipped, and say so), or null. Never set in CI. */
  skipReason: string | null;
  open(): Promise<EngineDatabase>;
}

/**
 * SQLite files in a temporary folder of their own, a new one for each test; the timed work in a
 * worker thread (as a server on a file runs it) or on the store's own connection.
 */
async function sqliteFiles(timedWork: 'worker' | 'in thread'): Promise<EngineDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  let files = 0;
  return {
    async fresh() {
      const file = join(dir, `tessera-${++files}.db`);
      const handle = createDb(file);
      const background = timedWork === 'worker' ? createSqliteWorker(file) : createInThreadBackground(handle.db);
      return {
        store: createSqliteStore(handle.db),
        background,
        async close() {
          await background.close();
          handle.close();
        },
      };
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SQLite with the timed work on the store's own connection: a single process, tools, tests. */
export const sqliteInThread: StoreEngine = {
  name: 'SQLite (in thread)',
  skipReason: null,
  open: () => sqliteFiles('in thread'),
};

/** SQLite as the server runs it on a file: the timed work in a worker thread with its own connection. */
export const sqliteWorker: StoreEngine = {
  name: 'SQLite (worker)',
  skipReason: null,
  open: () => sqliteFiles('worker'),
};

/**
 * PostgreSQL on a database of its own on the test server (TEST_DATABASE_URL), dropped on close,
 * and emptied for each test (every table truncated: creating a database per test costs a
 * checkpoint each).
 */
const CONNECTIONS = 6;

export const postgres: StoreEngine = {
  name: 'PostgreSQL',
  skipReason: SKIP_POSTGRES ? NO_POSTGRES_REASON : null,
  async open() {
    const database = await createTestPgDatabase();
    // Room for the concurrent cases to hold several transactions at once.
    const handle = await createPgDb(database.url, { poolMax: CONNECTIONS });
    const { rows } = await handle.pool.query<{ name: string }>(
      "select quote_ident(tablename) as name from pg_tables where schemaname = current_schema() and tablename not like '\\_\\_drizzle%'",
    );
    const everyTable = rows.map((row) => row.name).join(', ');
    return {
      async fresh() {
        await handle.pool.query(`truncate ${everyTable} restart identity cascade`);
        // Every connection open before the test starts (the pool closes idle ones): calls made at
        // once then run at once, instead of one after another while connections are opened.
        const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => handle.pool.connect()));
        for (const client of clients) client.release();
        return { store: createPgStore(handle.db), background: createPgBackground(handle.db), close: async () => {} };
      },
      async close() {
        await handle.close();
        await database.drop();
      },
    };
  },
};

export const storeEngines: readonly StoreEngine[] = [sqliteInThread, sqliteWorker, postgres];
