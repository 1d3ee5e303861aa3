import { needsSecondStep, REVOCATION_STALE_AFTER_MS } from '@tessera/auth';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RequestInfo } from './context';
import { RefusedError } from './errors';
import { createTestAuth, TEST_ORIGIN as publicOrigin, testAuthForEachTest, testContext } from './testing/test-context';
import {
  createCallerFactory,
  inputErrorMessage,
  protectedProcedure,
  publicProcedure,
  router,
  sameOriginProcedure,
} from './trpc';

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

const testAuth = testAuthForEachTest();

const callerWith = (request: Partial<RequestInfo>) =>
  createCaller(testContext(testAuth().auth, testAuth().stores, request));
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

describe('inputErrorMessage', () => {
  it('reads as sentences: our schemas’ own as they are, a library default with its field in front', () => {
    expect(inputErrorMessage([{ field: 'title', message: 'Give the note a title.' }])).toBe('Give the note a title.');
    expect(
      inputErrorMessage([
        { field: 'title', message: 'Give the note a title.' },
        { field: 'limit', message: 'Too big: expected number to be <=50' },
        { field: null, message: 'Unrecognized key: "extra"' },
      ]),
    ).toBe('Give the note a title. limit: Too big: expected number to be <=50. Unrecognized key: "extra".');
  });
});

describe('protectedProcedure', () => {
  it('narrows the context to the token’s user and session', async () => {
    const { session } = await testAuth().auth.register(
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

describe('protectedProcedure while the list of ended sessions is stale (issue 20, finding 4)', () => {
  const client = { userAgent: null, ip: '127.0.0.1' };
  const account = { email: 'stale@example.com', password: 'a strong password' };
  let clock: number;
  let sessionReads: number;
  let databaseDown: boolean;
  let stale: Awaited<ReturnType<typeof createTestAuth>>;
  beforeEach(async () => {
    clock = Date.now();
    sessionReads = 0;
    databaseDown = false;
    stale = await createTestAuth({
      now: () => clock,
      // The feed reads once, at start, and not again for an hour: moving the clock past five
      // seconds makes the list stale while the database stays readable.
      revocationPollMs: 3_600_000,
      wrapStore: (store) => ({
        ...store,
        sessionStatus(input, now) {
          sessionReads++;
          if (databaseDown) throw new Error('Connection terminated unexpectedly');
          return store.sessionStatus(input, now);
        },
      }),
    });
    await stale.auth.register({ ...account, name: null }, client);
  });
  afterEach(() => stale.dispose());

  /** A new session of the account: its access token and id. */
  async function signIn(): Promise<{ token: string; sessionId: string }> {
    const signedIn = await stale.auth.login(account, client);
    if (needsSecondStep(signedIn)) throw new Error('asked for a second step');
    const { session } = signedIn;
    const check = await stale.auth.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    return { token: session.accessToken, sessionId: check.token.sessionId };
  }
  /** What a call with the token answers: OK, or the code and reason it was refused with. */
  async function whoami(token: string): Promise<string> {
    const caller = createCaller(testContext(stale.auth, stale.stores, { authorization: `Bearer ${token}` }));
    return caller.whoami().then(
      () => 'OK',
      (error: unknown) => {
        if (!(error instanceof TRPCError)) throw error;
        return error instanceof RefusedError ? `${error.code}:${error.reason}` : error.code;
      },
    );
  }
  const turnStale = () => {
    clock += REVOCATION_STALE_AFTER_MS + 1;
    expect(stale.auth.revocationListStale()).toBe(true);
  };

  it('confirms the session row: a revocation the list missed is SESSION_REVOKED, an expired session SESSION_EXPIRED', async () => {
    const revoked = await signIn();
    const expired = await signIn();
    const live = await signIn();
    // Ended by another instance and run out, straight in the table: this list knows of neither.
    stale.db.$client
      .prepare("update sessions set revoked_at = ?, revoked_reason = 'logout' where id = ?")
      .run(clock, revoked.sessionId);
    stale.db.$client.prepare('update sessions set idle_expires_at = ? where id = ?').run(clock, expired.sessionId);

    // Current: the list is trusted, and no session is read (the hot path of every request).
    expect(stale.auth.revocationListStale()).toBe(false);
    expect(await whoami(revoked.token)).toBe('OK');
    expect(await whoami(live.token)).toBe('OK');
    expect(sessionReads).toBe(0);

    turnStale();
    expect(await whoami(revoked.token)).toBe('UNAUTHORIZED:SESSION_REVOKED');
    expect(await whoami(expired.token)).toBe('UNAUTHORIZED:SESSION_EXPIRED');
    expect(await whoami(live.token)).toBe('OK');
    expect(sessionReads).toBe(3);
  });

  it('answers SERVICE_UNAVAILABLE, never a pass, when the database cannot confirm the session either', async () => {
    const { token } = await signIn();
    databaseDown = true;
    // Current: nothing is read, so a database that is down does not matter here.
    expect(await whoami(token)).toBe('OK');
    turnStale();
    expect(await whoami(token)).toBe('SERVICE_UNAVAILABLE');
    expect(sessionReads).toBe(1);
  });
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
