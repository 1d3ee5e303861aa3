import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type Auth,
  type AuthStore,
  type BackgroundDb,
  type CreateAuthOptions,
  createAuth,
  createSecretBox,
  defaultAuthConfig,
  generateSecretKey,
  needsSecondStep,
  type PasswordHasher,
} from '@tessera/auth';
import { createPgBackground, createPgStore } from '@tessera/auth/postgres';
import { createInThreadBackground, createSqliteStore } from '@tessera/auth/sqlite';
import type { Role } from '@tessera/contract';
import { createDb, createPgDb, type TesseraDb } from '@tessera/db';
import { createTestPgDatabase, NO_POSTGRES_REASON, SKIP_POSTGRES } from '@tessera/db/testing/postgres';
import { createContextInner, type FeatureStores, type Logger, type RequestInfo } from '../context';
import { type Feature, featureStores } from '../feature';
import type { ResponseHeaders } from '../refresh-cookie';
import { forEachTest } from './for-each-test';

/** The origin test contexts pretend to serve. */
export const TEST_ORIGIN = 'https://app.example.com';

/**
 * SHA-256 instead of argon2id: tests of features need real accounts, not real hashing cost.
 * Never outside tests.
 */
export const fastTestHasher: PasswordHasher = {
  hash: async (password) => `test-sha256$${createHash('sha256').update(password).digest('base64url')}`,
  async verify(storedHash, password) {
    const expected = Buffer.from(await fastTestHasher.hash(password));
    const stored = Buffer.from(storedHash);
    return expected.length === stored.length && timingSafeEqual(expected, stored);
  },
  dummyHash: async () => 'test-sha256$no-password-matches-this',
};

const silentLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ignoredResponse: ResponseHeaders = { appendHeader: () => undefined };

/** The engines the auth core and the features' stores run on in tests, as on a server. */
export type TestEngine = 'sqlite' | 'postgres';

/**
 * Every engine, with why it cannot run on this machine (its cases are then skipped, and say so),
 * or null. PostgreSQL needs a test server (TEST_DATABASE_URL); CI always has one, and there a
 * missing one fails the cases instead of skipping them.
 *
 * @example
 * describe.each(testEngines)('notes on $engine', ({ engine, skipReason }) => {
 *   beforeEach(async (ctx) => {
 *     if (skipReason !== null) ctx.skip(skipReason);
 *     ({ auth, stores, dispose } = await createTestAuth({ engine, features: [notesFeature] }));
 *   });
 *   afterEach(() => dispose());
 * });
 */
export const testEngines: readonly { engine: TestEngine; skipReason: string | null }[] = [
  { engine: 'sqlite', skipReason: null },
  { engine: 'postgres', skipReason: SKIP_POSTGRES ? NO_POSTGRES_REASON : null },
];

export interface TestAuthOptions
  extends Partial<Pick<CreateAuthOptions, 'passwordLanes' | 'now' | 'revocationPollMs'>> {
  /** SQLite (in memory) unless said otherwise. */
  engine?: TestEngine;
  features?: readonly Feature[];
  /** Wraps the real store: to count a call, or to have it fail as an unreachable database would. */
  wrapStore?: (store: AuthStore) => AuthStore;
}

export interface TestAuth {
  auth: Auth;
  engine: TestEngine;
  /** Each feature's stores on the same database, as the server builds them. */
  stores: FeatureStores;
  /** Closes the auth core and deletes the database. */
  dispose(): Promise<void>;
}

/** An engine's database for one test: the auth core's store and timed work, and the features' stores. */
interface TestDatabase {
  store: AuthStore;
  background: BackgroundDb;
  stores: FeatureStores;
  close(): Promise<void>;
}

/**
 * A real auth core on a fresh database of its own (SQLite in memory, or a new PostgreSQL database
 * on the test server, dropped by `dispose`), with the features' tables and stores, for tests that
 * call procedures without HTTP. Without `engine` (SQLite), `db` is the connection, for a test
 * that reaches under the store.
 *
 * @example
 * const { auth, stores, dispose } = await createTestAuth({ engine: 'postgres', features: [notesFeature] });
 * afterEach(dispose);
 */
export function createTestAuth(options: TestAuthOptions & { engine: TestEngine }): Promise<TestAuth>;
export function createTestAuth(
  options?: TestAuthOptions & { engine?: undefined },
): Promise<TestAuth & { db: TesseraDb }>;
export async function createTestAuth(options: TestAuthOptions = {}): Promise<TestAuth & { db?: TesseraDb }> {
  const { engine = 'sqlite', features = [], wrapStore = (store) => store, ...authOptions } = options;
  let db: TesseraDb | undefined;
  let database: TestDatabase;
  if (engine === 'postgres') {
    database = await testPgDatabase(features);
  } else {
    const handle = createDb(':memory:', { features: features.map((feature) => feature.migrations) });
    db = handle.db;
    database = {
      store: createSqliteStore(handle.db),
      background: createInThreadBackground(handle.db),
      stores: featureStores(features.map((feature) => feature.stores.sqlite(handle.db))),
      close: async () => handle.close(),
    };
  }
  return undoneOnFailure(async () => {
    const auth = await createAuth({
      store: wrapStore(database.store),
      background: database.background,
      box: createSecretBox({ key: generateSecretKey() }),
      passwordHasher: fastTestHasher,
      config: { issuer: TEST_ORIGIN, audience: 'tessera', ...defaultAuthConfig },
      ...authOptions,
    });
    return {
      auth,
      engine,
      db,
      stores: database.stores,
      async dispose() {
        await auth.close();
        await database.close();
      },
    };
  }, database.close);
}

/**
 * A test auth core (createTestAuth) for each test, disposed after it: call it in a suite (it
 * registers a `beforeEach` and an `afterEach`); the function it returns gives the running test's.
 *
 * @example
 * const testAuth = testAuthForEachTest();
 * it('...', async () => {
 *   const { auth, stores } = testAuth();
 * });
 */
export function testAuthForEachTest(options: TestAuthOptions & { engine?: undefined } = {}): () => TestAuth {
  return forEachTest(
    () => createTestAuth(options),
    (testAuth) => testAuth.dispose(),
  );
}

/** What `build` makes; should it fail, `undo` runs (e.g. deleting the database it built on) and the error goes on. */
async function undoneOnFailure<T>(build: () => Promise<T>, undo: () => Promise<unknown>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    await undo();
    throw error;
  }
}

/** A new database on the test server, migrated with the features' tables, dropped on close. */
async function testPgDatabase(features: readonly Feature[]): Promise<TestDatabase> {
  const database = await createTestPgDatabase();
  return undoneOnFailure(async () => {
    const handle = await createPgDb(database.url, {
      poolMax: 4,
      features: features.map((feature) => feature.migrations),
    });
    return {
      store: createPgStore(handle.db),
      background: createPgBackground(handle.db),
      stores: featureStores(features.map((feature) => feature.stores.postgres(handle.db))),
      async close() {
        await handle.close();
        await database.drop();
      },
    };
  }, database.drop);
}

/**
 * A request context as the server would build it, from the request facts given.
 *
 * @example
 * const caller = createCaller(testContext(auth, stores, { authorization: `Bearer ${token}` }));
 */
export function testContext(auth: Auth, stores: FeatureStores, request: Partial<RequestInfo> = {}) {
  return createContextInner({
    auth,
    stores,
    publicOrigin: TEST_ORIGIN,
    request: {
      authorization: null,
      userAgent: null,
      ip: '127.0.0.1',
      origin: null,
      secFetchSite: null,
      requestId: 'r',
      cookieHeader: null,
      dpop: null,
      method: 'POST',
      path: '/trpc',
      ...request,
    },
    response: ignoredResponse,
    log: silentLog,
  });
}

let registered = 0;

/**
 * A context signed in as a new user (registered through the real core), for calling protected
 * procedures without HTTP.
 *
 * @example
 * const { ctx, user } = await signedInContext(auth, stores);
 * const caller = createCaller(ctx);
 */
export async function signedInContext(
  auth: Auth,
  stores: FeatureStores,
  options: { email?: string; role?: Role } = {},
) {
  const email = options.email ?? `user${++registered}@example.com`;
  const client = { userAgent: null, ip: '127.0.0.1' };
  const signedUp = await auth.register({ email, password: 'a strong password', name: null }, client);
  let session = signedUp.session;
  if (options.role && options.role !== 'user') {
    // Granted as `npm run user:role` does it (which ends the sessions), then signed in again.
    await auth.setRole(email, options.role);
    const signedIn = await auth.login({ email, password: 'a strong password' }, client);
    if (needsSecondStep(signedIn)) throw new Error('A new test account asked for a second step');
    ({ session } = signedIn);
  }
  return { ctx: testContext(auth, stores, { authorization: `Bearer ${session.accessToken}` }), user: session.user };
}
