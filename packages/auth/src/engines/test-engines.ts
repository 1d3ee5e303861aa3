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
import { createSqliteWorker } from './sqlite/worker';

/** A store on a database of its own, for one test (tests only). */
export interface TestEngine {
  store: AuthStore;
  background: BackgroundDb;
  /** Pruning's engine, for a batch size of the test's choosing (`pruneExpired`). */
  prune: Engine<PruneSteps>;
  /** The rows a raw SQL read returns: for what a test must see that the store does not show. */
  rows(query: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export type TestEngineFactory = readonly [name: string, open: () => Promise<TestEngine>];

if (TEST_DATABASE_URL === null) console.warn(NO_POSTGRES_REASON);

/**
 * Each engine as a server runs it, for `describe.each`: SQLite on a temporary file (the timed
 * work in this thread, or with `worker` also in its worker thread, on a connection of its own),
 * and PostgreSQL on a new database of its own (when `TEST_DATABASE_URL` is set, as in CI).
 *
 * @example
 * describe.each(testEngines())('passkeys on %s', (_name, open) => { ... });
 */
export function testEngines(options: { worker?: boolean } = {}): TestEngineFactory[] {
  const sqlite = (worker: boolean) => async (): Promise<TestEngine> => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const file = join(dir, 't.db');
    const handle = createDb(file);
    const background = worker ? createSqliteWorker(file) : createInThreadBackground(handle.db);
    return {
      store: createSqliteStore(handle.db),
      background,
      prune: sqliteEngine(handle.db, sqlitePruneSteps(handle.db)),
      rows: async (query) => handle.db.$client.prepare(query).all() as Record<string, unknown>[],
      async close() {
        await background.close();
        handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
  const postgres = async (): Promise<TestEngine> => {
    const database = await createTestPgDatabase();
    const handle = await createPgDb(database.url, { poolMax: 4 });
    return {
      store: createPgStore(handle.db),
      background: createPgBackground(handle.db),
      prune: pgEngine(handle.db, pgPruneSteps),
      rows: async (query) => (await handle.pool.query<Record<string, unknown>>(query)).rows,
      async close() {
        await handle.close();
        await database.drop();
      },
    };
  };
  return [
    ['SQLite', sqlite(false)],
    ...(options.worker ? [['SQLite (worker)', sqlite(true)] as const] : []),
    ...(TEST_DATABASE_URL === null ? [] : [['PostgreSQL', postgres] as const]),
  ];
}
