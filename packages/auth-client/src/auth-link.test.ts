import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { describe, expect, it, vi } from 'vitest';
import { type AuthLinkOptions, createAuthLink } from './auth-link';
import { getErrorCode, getFailureReason } from './errors';
import { createSingleFlight } from './single-flight';

// Only for its type: the calls never reach these resolvers, the fake terminating link answers.
const t = initTRPC.create();
const testRouter = t.router({
  auth: t.router({
    me: t.procedure.query(() => 'me'),
    login: t.procedure.mutation(() => 'session'),
  }),
  notes: t.procedure.query(() => 'notes'),
});
type TestRouter = typeof testRouter;

/** `UNAUTHORIZED` is an expired access token, the everyday case; the others say what they are. */
type Outcome = 'ok' | 'UNAUTHORIZED' | 'REVOKED' | 'INVALID' | 'NO_REASON' | 'INTERNAL_SERVER_ERROR';

const answers: Record<Exclude<Outcome, 'ok'>, { code: string; httpStatus: number; reason: string | null }> = {
  UNAUTHORIZED: { code: 'UNAUTHORIZED', httpStatus: 401, reason: 'ACCESS_TOKEN_EXPIRED' },
  REVOKED: { code: 'UNAUTHORIZED', httpStatus: 401, reason: 'SESSION_REVOKED' },
  INVALID: { code: 'UNAUTHORIZED', httpStatus: 401, reason: 'ACCESS_TOKEN_INVALID' },
  NO_REASON: { code: 'UNAUTHORIZED', httpStatus: 401, reason: null },
  INTERNAL_SERVER_ERROR: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, reason: null },
};

/**
 * Stands in for httpBatchLink + server. It reads the token the way the real `headers()` does,
 * at send time, and answers with `respond(path, token)`.
 */
function setup(respond: (path: string, token: string | null) => Outcome) {
  const state: { token: string | null } = { token: 'old' };
  const sent: Array<{ path: string; token: string | null }> = [];

  const terminating: TRPCLink<TestRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        const token = state.token;
        sent.push({ path: op.path, token });
        const outcome = respond(op.path, token);
        if (outcome === 'ok') {
          observer.next({ result: { type: 'data', data: `${op.path} as ${token}` } });
          observer.complete();
          return;
        }
        observer.error(TRPCClientError.from({ error: { code: -32001, message: outcome, data: answers[outcome] } }));
      });

  // Shared like the real client's refresh, so concurrent failures spend one refresh.
  const refreshTask = vi.fn(async () => {
    await Promise.resolve();
    state.token = 'new';
    return true;
  });
  const flight = createSingleFlight(refreshTask);

  const options: AuthLinkOptions = {
    ready: () => Promise.resolve(),
    getAccessToken: () => state.token,
    refresh: () => flight.run(),
    endSession: vi.fn(),
  };
  const client = () => createTRPCClient<TestRouter>({ links: [createAuthLink<TestRouter>(options), terminating] });

  return { state, sent, refreshTask, options, client };
}

describe('createAuthLink', () => {
  it('passes a successful call through untouched', async () => {
    const { client, sent, refreshTask } = setup(() => 'ok');

    await expect(client().notes.query()).resolves.toBe('notes as old');
    expect(sent).toHaveLength(1);
    expect(refreshTask).not.toHaveBeenCalled();
  });

  it('on an expired access token refreshes once and retries once with the new token', async () => {
    const { client, sent, refreshTask } = setup((_path, token) => (token === 'new' ? 'ok' : 'UNAUTHORIZED'));

    await expect(client().auth.me.query()).resolves.toBe('auth.me as new');
    expect(refreshTask).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([
      { path: 'auth.me', token: 'old' },
      { path: 'auth.me', token: 'new' },
    ]);
  });

  it('retries only once: a second UNAUTHORIZED reaches the caller', async () => {
    const { client, sent, refreshTask } = setup(() => 'UNAUTHORIZED');

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(refreshTask).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(2);
  });

  it('fails with the original UNAUTHORIZED, without retrying, when the refresh fails', async () => {
    const { client, sent, options } = setup(() => 'UNAUTHORIZED');
    options.refresh = vi.fn(async () => false);

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(options.refresh).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(1);
  });

  it('treats a rejecting refresh like a failed one', async () => {
    const { client, sent, options } = setup(() => 'UNAUTHORIZED');
    options.refresh = () => Promise.reject(new Error('offline'));

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(sent).toHaveLength(1);
  });

  it('shares one refresh among concurrent calls that all hit UNAUTHORIZED', async () => {
    const { client, sent, refreshTask } = setup((_path, token) => (token === 'new' ? 'ok' : 'UNAUTHORIZED'));
    const trpc = client();

    const results = await Promise.all([trpc.notes.query(), trpc.auth.me.query(), trpc.notes.query()]);
    expect(results).toEqual(['notes as new', 'auth.me as new', 'notes as new']);
    expect(refreshTask).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(6);
  });

  it('retries without refreshing when another call already replaced the token', async () => {
    const { client, state, sent, refreshTask } = setup((_path, token) => {
      if (token === 'old') {
        // Simulates a refresh that completed while this call was on the wire.
        state.token = 'newer';
        return 'UNAUTHORIZED';
      }
      return 'ok';
    });

    await expect(client().notes.query()).resolves.toBe('notes as newer');
    expect(refreshTask).not.toHaveBeenCalled();
    expect(sent).toHaveLength(2);
  });

  it.each(['auth.login'])('never refreshes for %s, which establishes the credential', async () => {
    const { client, sent, refreshTask } = setup(() => 'UNAUTHORIZED');

    const error = await client()
      .auth.login.mutate()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(refreshTask).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it('does not refresh when the call carried no token (never signed in)', async () => {
    const { client, state, refreshTask } = setup(() => 'UNAUTHORIZED');
    state.token = null;

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(refreshTask).not.toHaveBeenCalled();
  });

  it.each([
    ['a forged or foreign token (ACCESS_TOKEN_INVALID)', 'INVALID'],
    ['an UNAUTHORIZED without a reason', 'NO_REASON'],
  ] as const)('neither refreshes nor signs out for %s', async (_label, outcome) => {
    const { client, sent, refreshTask, options } = setup(() => outcome);

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('UNAUTHORIZED');
    expect(refreshTask).not.toHaveBeenCalled();
    expect(options.endSession).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it('ends the session, without refreshing, when the server says it was revoked', async () => {
    const { client, sent, refreshTask, options } = setup(() => 'REVOKED');

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getFailureReason(error)).toBe('SESSION_REVOKED');
    expect(options.endSession).toHaveBeenCalledExactlyOnceWith('SESSION_REVOKED', 'old', null);
    expect(refreshTask).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it('retries with a newer token instead of ending a session that another tab already replaced', async () => {
    const { client, state, sent, options } = setup((_path, token) => {
      if (token === 'old') {
        state.token = 'signed in again';
        return 'REVOKED';
      }
      return 'ok';
    });

    await expect(client().notes.query()).resolves.toBe('notes as signed in again');
    expect(options.endSession).not.toHaveBeenCalled();
    expect(sent).toHaveLength(2);
  });

  it('does not refresh for other errors', async () => {
    const { client, sent, refreshTask } = setup(() => 'INTERNAL_SERVER_ERROR');

    const error = await client()
      .notes.query()
      .catch((e: unknown) => e);
    expect(getErrorCode(error)).toBe('INTERNAL_SERVER_ERROR');
    expect(refreshTask).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it('holds calls until the refresh in flight has settled', async () => {
    const { client, sent, options } = setup(() => 'ok');
    let release: () => void = () => undefined;
    options.ready = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });

    const pending = client().notes.query();
    await Promise.resolve();
    expect(sent).toHaveLength(0);

    release();
    await expect(pending).resolves.toBe('notes as old');
  });

  it('sends nothing when unsubscribed before the refresh in flight settled', async () => {
    const { options } = setup(() => 'ok');
    let release: () => void = () => undefined;
    options.ready = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const next = vi.fn();
    const op = { id: 1, type: 'query' as const, path: 'notes', input: undefined, context: {}, signal: null };

    const subscription = createAuthLink<TestRouter>(options)({})({ op, next }).subscribe({});
    subscription.unsubscribe();
    release();
    await Promise.resolve();

    expect(next).not.toHaveBeenCalled();
  });
});
