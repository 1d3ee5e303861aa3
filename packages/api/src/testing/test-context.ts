import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type Auth,
  type AuthStore,
  type CreateAuthOptions,
  createAuth,
  createSecretBox,
  defaultAuthConfig,
  generateSecretKey,
  type PasswordHasher,
} from '@tessera/auth';
import { createInThreadBackground, createSqliteStore } from '@tessera/auth/sqlite';
import type { Role } from '@tessera/contract';
import { createDb, type TesseraDb } from '@tessera/db';
import { createContextInner, type FeatureStores, type Logger, type RequestInfo } from '../context';
import { type Feature, featureStores } from '../feature';
import type { ResponseHeaders } from '../refresh-cookie';

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

/**
 * A real auth core on a fresh in-memory database, for tests that call procedures without HTTP.
 *
 * @example
 * const { auth, dispose } = await createTestAuth();
 * afterEach(dispose);
 */
export async function createTestAuth(
  options: Partial<Pick<CreateAuthOptions, 'passwordLanes' | 'now' | 'revocationPollMs'>> & {
    features?: readonly Feature[];
    /** Wraps the real store: to count a call, or to have it fail as an unreachable database would. */
    wrapStore?: (store: AuthStore) => AuthStore;
  } = {},
): Promise<{ auth: Auth; db: TesseraDb; stores: FeatureStores; dispose(): Promise<void> }> {
  const { features = [], wrapStore = (store) => store, ...authOptions } = options;
  const handle = createDb(':memory:', { features: features.map((feature) => feature.migrations) });
  const auth = await createAuth({
    store: wrapStore(createSqliteStore(handle.db)),
    background: createInThreadBackground(handle.db),
    box: createSecretBox({ key: generateSecretKey() }),
    passwordHasher: fastTestHasher,
    config: { issuer: TEST_ORIGIN, audience: 'tessera', ...defaultAuthConfig },
    ...authOptions,
  });
  return {
    auth,
    db: handle.db,
    // Each feature's stores on this database, as the server builds them.
    stores: featureStores(features.map((feature) => feature.stores.sqlite(handle.db))),
    async dispose() {
      await auth.close();
      handle.close();
    },
  };
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
    ({ session } = await auth.login({ email, password: 'a strong password' }, client));
  }
  return { ctx: testContext(auth, stores, { authorization: `Bearer ${session.accessToken}` }), user: session.user };
}
