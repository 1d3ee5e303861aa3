import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, createPgDb } from '@tessera/db';
import { createTestPgDatabase, NO_POSTGRES_REASON, SKIP_POSTGRES } from '@tessera/db/testing/postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import { needsSecondStep, type SecondStep } from '../capabilities/context';
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

/**
 * The engines the auth tests run on, each as a server runs it: the store conformance suite
 * (store/store.test.ts) and every domain's tests. Test support only: nothing in the server, and
 * nothing in the package's index, imports this.
 */

/** One engine's auth store and timed work, on an empty database. */
export interface OpenStore {
  store: AuthStore;
  background: BackgroundDb;
  /** Pruning's engine, for a batch size of the test's choosing (`pruneExpired`). */
  prune: Engine<PruneSteps>;
  /**
   * A raw statement's rows (`?` for parameters; a write gives none), column names as in SQL,
   * numbers as numbers: for what a test must see, or set up, behind the store's back.
   */
  rows(query: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Closes it. */
  close(): Promise<void>;
}

/** An engine's database for one suite: `fresh()` gives each test an empty one. */
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
        prune: sqliteEngine(handle.db, sqlitePruneSteps(handle.db)),
        async rows(query, ...params) {
          const statement = handle.db.$client.prepare(query);
          if (!statement.reader) return statement.run(...params) && [];
          return statement.all(...params) as Record<string, unknown>[];
        },
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

/** PostgreSQL's `bigint` (the epoch-ms columns) read as a number, as Drizzle reads it. */
const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * PostgreSQL on a database of its own on the test server (TEST_DATABASE_URL), dropped on close,
 * and emptied for each test (every table truncated: creating a database per test costs a
 * checkpoint each). Skipped only outside CI without a test server; in CI without one its cases fail.
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
        return {
          store: createPgStore(handle.db),
          background: createPgBackground(handle.db),
          prune: pgEngine(handle.db, pgPruneSteps),
          async rows(query, ...params) {
            let n = 0;
            const text = query.replace(/\?/g, () => `$${++n}`);
            return (await handle.pool.query({ text, values: params, types: int8AsNumber })).rows;
          },
          close: async () => {},
        };
      },
      async close() {
        await handle.close();
        await database.drop();
      },
    };
  },
};

/** Every engine, as a server runs it: the store conformance suite's. */
export const storeEngines: readonly StoreEngine[] = [sqliteInThread, sqliteWorker, postgres];

/**
 * The engines a domain's tests run on: SQLite in thread and PostgreSQL, and with `worker` SQLite
 * with its worker thread too (for a rule the timed work also runs).
 */
export function testEngines(options: { worker?: boolean } = {}): readonly StoreEngine[] {
  return options.worker ? storeEngines : [sqliteInThread, postgres];
}

/**
 * `describe(`${title} on ${engine.name}`)` for each engine, skipped (and saying why) where the
 * engine cannot run here. Each test has an empty database of its own: `body`'s `current()` is the
 * running test's (one database per suite and engine, emptied before each test). The first test
 * opens it, so an engine that cannot open fails every test rather than skipping them.
 *
 * @example
 * describeEngines('passkeys', testEngines(), (current) => {
 *   it('...', async () => { const { store } = current(); ... });
 * });
 */
export function describeEngines(
  title: string,
  engines: readonly StoreEngine[],
  body: (current: () => OpenStore) => void,
): void {
  for (const engine of engines) {
    if (engine.skipReason !== null) console.warn(`${engine.name}: ${engine.skipReason}`);
    describe.skipIf(engine.skipReason !== null)(`${title} on ${engine.name}`, () => {
      let database: EngineDatabase | undefined;
      let opened: OpenStore | undefined;
      beforeEach(async () => {
        database ??= await engine.open();
        opened = await database.fresh();
      });
      afterEach(async () => {
        await opened?.close();
        opened = undefined;
      });
      afterAll(() => database?.close());
      body(() => {
        if (opened === undefined) throw new Error('no test is running: call current() inside a test or a hook');
        return opened;
      });
    });
  }
}

/** Waits until `condition` holds, polling every 10 ms; how long it took (ms), or throws after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, timeoutMs = 2_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/**
 * A sign-in's session, failing the test when the sign-in asked for a second step instead.
 *
 * @example
 * const { session, refreshToken } = signedInOnly(await auth.login(account, client));
 */
export function signedInOnly<A extends object>(result: A): Exclude<A, SecondStep> {
  if (needsSecondStep(result)) throw new Error('The sign-in asked for a second step');
  // Not a second step, so one of the union's other members.
  return result as Exclude<A, SecondStep>;
}
