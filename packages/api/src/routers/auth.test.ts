import { type Auth, createAuth, createSecretBox, defaultAuthConfig, generateSecretKey } from '@tessera/auth';
import { createDb, type DbHandle } from '@tessera/db';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextInner, type Logger, type RefreshCookieJar } from '../context';
import { retryAfterSeconds } from '../errors';
import { createCallerFactory } from '../trpc';
import { authRouter } from './auth';

const publicOrigin = 'https://app.example.com';
const createCaller = createCallerFactory(authRouter);
const silentLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noCookies: RefreshCookieJar = { read: () => null, set: () => undefined, clear: () => undefined };

let handle: DbHandle;
let auth: Auth;
beforeEach(async () => {
  handle = createDb(':memory:');
  auth = await createAuth({
    db: handle.db,
    box: createSecretBox({ key: generateSecretKey() }),
    config: { issuer: publicOrigin, audience: 'tessera', ...defaultAuthConfig },
    // One hash at a time and no queue: the second concurrent sign-in finds the lane full.
    passwordLanes: { signIn: { concurrency: 1, maxQueued: 0 }, passwordChange: { concurrency: 1, maxQueued: 0 } },
  });
});
afterEach(async () => {
  await auth.close();
  handle.close();
});

const caller = () =>
  createCaller(
    createContextInner({
      auth,
      publicOrigin,
      request: {
        authorization: null,
        userAgent: null,
        ip: '127.0.0.1',
        origin: null,
        secFetchSite: null,
        requestId: 'r',
      },
      cookies: noCookies,
      log: silentLog,
    }),
  );

describe('auth router under hashing pressure', () => {
  /** @see issue 8, finding 6: password hashing had no bound, so a flood starved sign-ins. */
  it('answers SERVICE_UNAVAILABLE with a Retry-After past the hashing queue, and hashes nothing for it', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        caller()
          .login({ email: `busy${i}@example.com`, password: 'a strong password' })
          .then(
            () => null,
            (error: unknown) => error,
          ),
      ),
    );
    const busy = outcomes.filter(
      (error): error is TRPCError => error instanceof TRPCError && error.code === 'SERVICE_UNAVAILABLE',
    );
    expect(busy).toHaveLength(2);
    expect(busy[0]?.message).toBe('The service is busy. Please try again in a moment.');
    expect(retryAfterSeconds(busy)).toBe(1);
    const refused = outcomes.filter((error) => error instanceof TRPCError && error.code === 'UNAUTHORIZED');
    expect(refused).toHaveLength(1);
  });
});
