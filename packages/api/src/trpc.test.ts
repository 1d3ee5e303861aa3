import type { Auth } from '@tessera/auth';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FeatureStores, RequestInfo } from './context';
import { createTestAuth, TEST_ORIGIN as publicOrigin, testContext } from './testing/test-context';
import { createCallerFactory, protectedProcedure, publicProcedure, router, sameOriginProcedure } from './trpc';

/** What node-postgres raises, with its SQLSTATE, wrapped the way Drizzle wraps it. */
const databaseError = (code: string) =>
  new Error('Failed query: …', { cause: Object.assign(new Error('database says no'), { code }) });

const probe = router({
  whoami: protectedProcedure.query(({ ctx }) => ({ userId: ctx.user.id, sessionId: ctx.sessionId })),
  signInLike: sameOriginProcedure.mutation(() => 'ok'),
  failing: publicProcedure.input(z.object({ code: z.string() })).query(({ input }) => {
    throw databaseError(input.code);
  }),
  refusing: publicProcedure.query(() => {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such thing.', cause: databaseError('22021') });
  }),
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

describe('every procedure', () => {
  it('turns what the database throws into a client error: unstorable text 400, unreachable 503, the rest 500', async () => {
    const caller = callerWith({});
    expect(await codeOf(caller.failing({ code: '22021' }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.failing({ code: '22P05' }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.failing({ code: '57P01' }))).toBe('SERVICE_UNAVAILABLE');
    expect(await codeOf(caller.failing({ code: '23505' }))).toBe('INTERNAL_SERVER_ERROR');
    // A procedure's own answer stands, whatever its cause.
    expect(await codeOf(caller.refusing())).toBe('NOT_FOUND');
  });
});

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
