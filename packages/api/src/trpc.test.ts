import type { Auth } from '@tessera/auth';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeatureStores, RequestInfo } from './context';
import { createTestAuth, TEST_ORIGIN as publicOrigin, testContext } from './testing/test-context';
import { createCallerFactory, protectedProcedure, router, sameOriginProcedure } from './trpc';

const probe = router({
  whoami: protectedProcedure.query(({ ctx }) => ({ userId: ctx.user.id, sessionId: ctx.sessionId })),
  signInLike: sameOriginProcedure.mutation(() => 'ok'),
});
const createCaller = createCallerFactory(probe);

let auth: Auth;
let stores: FeatureStores;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ auth, stores, dispose } = await createTestAuth());
});
afterEach(() => dispose());

const callerWith = (request: Partial<RequestInfo>) => createCaller(testContext(auth, stores, request));
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

  it('names the origin to open when the page was loaded from another one', async () => {
    await expect(callerWith({ origin: 'http://127.0.0.1:5173' }).signInLike()).rejects.toThrow(
      `This server accepts sign-in only from ${publicOrigin}. Open ${publicOrigin} and try again.`,
    );
  });
});
