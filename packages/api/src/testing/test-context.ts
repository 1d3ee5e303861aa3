import {
  type Auth,
  type CreateAuthOptions,
  createAuth,
  createSecretBox,
  defaultAuthConfig,
  generateSecretKey,
} from '@tessera/auth';
import { createDb } from '@tessera/db';
import { createContextInner, type Logger, type RefreshCookieJar, type RequestInfo } from '../context';

/** The origin test contexts pretend to serve. */
export const TEST_ORIGIN = 'https://app.example.com';

const silentLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noCookies: RefreshCookieJar = { read: () => null, set: () => undefined, clear: () => undefined };

/**
 * A real auth core on a fresh in-memory database, for tests that call procedures without HTTP.
 *
 * @example
 * const { auth, dispose } = await createTestAuth();
 * afterEach(dispose);
 */
export async function createTestAuth(
  options: Partial<Pick<CreateAuthOptions, 'passwordLanes'>> = {},
): Promise<{ auth: Auth; dispose(): Promise<void> }> {
  const handle = createDb(':memory:');
  const auth = await createAuth({
    db: handle.db,
    box: createSecretBox({ key: generateSecretKey() }),
    config: { issuer: TEST_ORIGIN, audience: 'tessera', ...defaultAuthConfig },
    ...options,
  });
  return {
    auth,
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
 * const caller = createCaller(testContext(auth, { authorization: `Bearer ${token}` }));
 */
export function testContext(auth: Auth, request: Partial<RequestInfo> = {}) {
  return createContextInner({
    auth,
    publicOrigin: TEST_ORIGIN,
    request: {
      authorization: null,
      userAgent: null,
      ip: '127.0.0.1',
      origin: null,
      secFetchSite: null,
      requestId: 'r',
      ...request,
    },
    cookies: noCookies,
    log: silentLog,
  });
}
