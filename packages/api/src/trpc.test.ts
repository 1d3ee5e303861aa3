import { type Auth, createAuth, createSecretBox, defaultAuthConfig, generateSecretKey } from '@tessera/auth';
import { createDb, type DbHandle } from '@tessera/db';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextInner, type Logger, type RefreshCookieJar, type RequestInfo } from './context';
import { createCallerFactory, protectedProcedure, router, sameOriginProcedure } from './trpc';

const publicOrigin = 'https://app.example.com';
const probe = router({
  whoami: protectedProcedure.query(({ ctx }) => ({ userId: ctx.user.id, sessionId: ctx.sessionId })),
  signInLike: sameOriginProcedure.mutation(() => 'ok'),
});
const createCaller = createCallerFactory(probe);

let handle: DbHandle;
let auth: Auth;
beforeEach(async () => {
  handle = createDb(':memory:');
  auth = await createAuth({
    db: handle.db,
    box: createSecretBox({ key: generateSecretKey() }),
    config: { issuer: publicOrigin, audience: 'tessera', ...defaultAuthConfig },
  });
});
afterEach(async () => {
  await auth.close();
  handle.close();
});

const silentLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noCookies: RefreshCookieJar = { read: () => null, set: () => undefined, clear: () => undefined };
function callerWith(request: Partial<RequestInfo>) {
  const info: RequestInfo = {
    authorization: null,
    userAgent: null,
    ip: '127.0.0.1',
    origin: null,
    secFetchSite: null,
    requestId: 'r',
    ...request,
  };
  return createCaller(createContextInner({ auth, publicOrigin, request: info, cookies: noCookies, log: silentLog }));
}
async function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR'),
  );
}

describe('protectedProcedure', () => {
  it('narrows the context to the token’s user and session', async () => {
    const { session } = await auth.register(
      { email: 'a@example.com', password: 'password123', name: null },
      { userAgent: null, ip: '127.0.0.1' },
    );
    const caller = callerWith({ authorization: `Bearer ${session.accessToken}` });
    expect(await caller.whoami()).toEqual({ userId: session.user.id, sessionId: expect.any(String) });
    expect(await codeOf(callerWith({ authorization: `bearer ${session.accessToken}` }).whoami())).toBe('OK');
  });

  it.each([null, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer x y'])(
    'is UNAUTHORIZED for the Authorization header %j',
    async (authorization) => {
      expect(await codeOf(callerWith({ authorization }).whoami())).toBe('UNAUTHORIZED');
    },
  );
});

describe('sameOriginProcedure', () => {
  it.each([
    [{}, 'OK'],
    [{ origin: publicOrigin, secFetchSite: 'same-origin' }, 'OK'],
    [{ origin: 'https://evil.example' }, 'FORBIDDEN'],
    [{ origin: 'null' }, 'FORBIDDEN'],
    [{ origin: '' }, 'FORBIDDEN'],
    [{ secFetchSite: 'cross-site' }, 'FORBIDDEN'],
    [{ origin: publicOrigin, secFetchSite: 'cross-site' }, 'FORBIDDEN'],
  ])('answers %j with %s', async (request, expected) => {
    expect(await codeOf(callerWith(request).signInLike())).toBe(expected);
  });
});
