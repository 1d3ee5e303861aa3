import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, createPgDb } from '@tessera/db';
import { createTestPgDatabase, NO_POSTGRES_REASON, TEST_DATABASE_URL } from '@tessera/db/testing/postgres';
import type { PruneSteps } from '../revocation/steps';
import type { BackgroundDb } from '../store/background';
import type { Engine } from '../store/engine';
import type { AuthStore } from '../store/store';
import { createPgBackground } from './postgres/background';
import { pgEngine } from './postgres/engine';
import { pgPruneSteps } from './postgres/housekeeping';
import { createPgStore } from './postgres/store';
import { createInThreadBackground } from './sqlite/background';
import { sqliteEngine } from './sqlite/engine';
import { sqlitePruneSteps } from './sqlite/housekeeping';
import { createSqliteStore } from './sqlite/store';

/** A new, empty, migrated database of one engine, for one test: the store and what tests reach behind it. */
export interface TestDatabase {
  store: AuthStore;
  /** In this thread on SQLite. */
  background: BackgroundDb;
  /** Pruning's engine, for a batch size of the test's choosing. */
  prune: Engine<PruneSteps>;
  /** The SQLite file; null on PostgreSQL. */
  file: string | null;
  /** Raw SQL, no parameters, for what a test reads or sets behind the store's back. */
  query(text: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** Why it cannot run here, or null (the PostgreSQL suites need `TEST_DATABASE_URL`). */
  skip: string | null;
  open(): Promise<TestDatabase>;
}

/**
 * Both engines, for `describe.each(TEST_ENGINES)`: SQLite on a file of its own in a temporary
 * folder, PostgreSQL on a database of its own on the test server (dropped on close).
 *
 * @example
 * describe.each(TEST_ENGINES)('pruning on $name', ({ skip, open }) => { ... });
 */
export const TEST_ENGINES: TestEngine[] = [
  {
    name: 'sqlite',
    skip: null,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
      const handle = createDb(join(dir, 'tessera.db'));
      const { db } = handle;
      return {
        store: createSqliteStore(db),
        background: createInThreadBackground(db),
        prune: sqliteEngine(db, sqlitePruneSteps(db)),
        file: handle.file,
        query: async (text) => {
          const statement = db.$client.prepare<[], Record<string, unknown>>(text);
          if (statement.reader) return statement.all();
          statement.run();
          return [];
        },
        async close() {
          handle.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: TEST_DATABASE_URL === null ? NO_POSTGRES_REASON : null,
    async open() {
      const database = await createTestPgDatabase();
      const handle = await createPgDb(database.url, { poolMax: 4 });
      const { db } = handle;
      return {
        store: createPgStore(db),
        background: createPgBackground(db),
        prune: pgEngine(db, pgPruneSteps),
        file: null,
        query: async (text) => (await handle.pool.query<Record<string, unknown>>(text)).rows,
        async close() {
          await handle.close();
          await database.drop();
        },
      };
    },
  },
];
