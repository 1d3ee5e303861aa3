import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthClient } from './create-auth-client';
import { getErrorCode } from './errors';

const TTL_S = 300;
const user = { id: 'u1', email: 'ada@example.com', name: 'Ada' };

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A session as the server would issue it at `serverNowMs` (the server's own clock). */
function issue(serverNowMs: number, label: string) {
  const iat = Math.floor(serverNowMs / 1000);
  const accessToken = `${encode({ alg: 'EdDSA' })}.${encode({ iat, exp: iat + TTL_S, jti: label })}.sig`;
  return { accessToken, expiresAt: (iat + TTL_S) * 1000, user };
}

type Reply = { data: unknown } | { code: string; status: number } | 'network';

/**
 * A fake `/trpc` behind `fetch`: replies come from per-procedure queues (the last one repeats),
 * and every request is recorded with the Authorization header it carried.
 */
function fakeServer() {
  const replies = new Map<string, Reply[]>();
  const requests: Array<{ path: string; authorization: string | null }> = [];

  const fetchImpl: typeof fetch = async (input, init) => {
    const path = new URL(String(input), 'http://localhost').pathname.replace('/trpc/', '');
    requests.push({ path, authorization: new Headers(init?.headers).get('authorization') });
    const queue = replies.get(path) ?? [];
    const reply = queue.length > 1 ? queue.shift() : queue[0];
    if (reply === undefined) throw new Error(`no reply for ${path}`);
    if (reply === 'network') throw new TypeError('Failed to fetch');
    const [status, body] =
      'data' in reply
        ? [200, { result: { data: reply.data } }]
        : [
            reply.status,
            {
              error: { code: -32001, message: reply.code, data: { code: reply.code, httpStatus: reply.status, path } },
            },
          ];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };

  return {
    fetch: fetchImpl,
    requests,
    reply(path: string, ...queue: Reply[]) {
      replies.set(path, queue);
    },
    count: (path: string) => requests.filter((r) => r.path === path).length,
  };
}

const UNAUTHORIZED: Reply = { code: 'UNAUTHORIZED', status: 401 };

describe('createAuthClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('restore', () => {
    it('starts loading and becomes authenticated when the cookie is good', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'restored');
      server.reply('auth.refresh', { data: session });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      const seen: string[] = [];
      auth.subscribe(() => seen.push(auth.getState().status));

      expect(auth.getState().status).toBe('loading');
      await expect(auth.restore()).resolves.toBe('authenticated');
      expect(seen).toEqual(['authenticated']);
      expect(auth.getSession()).toEqual(session);
      expect(auth.headers()).toEqual({ authorization: `Bearer ${session.accessToken}` });
    });

    it('becomes anonymous at once on UNAUTHORIZED, without retrying', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      await expect(auth.restore()).resolves.toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(1);
      expect(auth.headers()).toEqual({});
    });

    it('retries a network failure with backoff, then succeeds', async () => {
      const server = fakeServer();
      server.reply(
        'auth.refresh',
        'network',
        { code: 'INTERNAL_SERVER_ERROR', status: 500 },
        { data: issue(Date.now(), 'x') },
      );
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      const restored = auth.restore();
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(restored).resolves.toBe('authenticated');
      expect(server.count('auth.refresh')).toBe(3);
    });

    it('gives up after the hard cap and leaves loading, without calling auth.logout', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', 'network');
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      const restored = auth.restore();
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(restored).resolves.toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(3);
      expect(server.count('auth.logout')).toBe(0);
    });

    it('sends one refresh for concurrent restore and refresh callers', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', { data: issue(Date.now(), 'once') });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      await Promise.all([auth.restore(), auth.restore(), auth.refresh(), auth.refresh()]);
      expect(server.count('auth.refresh')).toBe(1);
    });
  });

  describe('proactive refresh', () => {
    it('refreshes at 80 % of the token lifetime and keeps going', async () => {
      const server = fakeServer();
      const first = issue(Date.now(), 'first');
      server.reply('auth.login', { data: first });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      const second = issue(Date.now() + 240_000, 'second');
      server.reply('auth.refresh', { data: second });
      await vi.advanceTimersByTimeAsync(239_999);
      expect(server.count('auth.refresh')).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(server.count('auth.refresh')).toBe(1);
      expect(auth.getAccessToken()).toBe(second.accessToken);

      await vi.advanceTimersByTimeAsync(240_000);
      expect(server.count('auth.refresh')).toBe(2);
    });

    it('schedules from the local receipt time, so a skewed client clock does not matter', async () => {
      const server = fakeServer();
      // The server's clock runs an hour ahead: expiresAt is an hour and five minutes away locally.
      server.reply('auth.login', { data: issue(Date.now() + 3_600_000, 'skewed') });
      server.reply('auth.refresh', { data: issue(Date.now() + 3_840_000, 'next') });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(240_000);
      expect(server.count('auth.refresh')).toBe(1);
    });

    it('stops on sign-out', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'first');
      server.reply('auth.login', { data: session });
      server.reply('auth.logout', { data: { ok: true } });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: true });
      expect(server.requests.at(-1)).toEqual({ path: 'auth.logout', authorization: `Bearer ${session.accessToken}` });
      expect(auth.getState()).toEqual({ status: 'anonymous', session: null });
      expect(vi.getTimerCount()).toBe(0);

      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(server.count('auth.refresh')).toBe(0);
    });

    it('keeps the session when the refresh cannot reach the server, and tries again later', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', 'network', 'network', 'network', { data: issue(Date.now() + 270_000, 'later') });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(240_000 + 10_000);
      expect(server.count('auth.refresh')).toBe(3);
      expect(auth.getState().status).toBe('authenticated');

      await vi.advanceTimersByTimeAsync(30_000);
      expect(server.count('auth.refresh')).toBe(4);
      expect(auth.getState().status).toBe('authenticated');
    });

    it('signs out locally when the server rejects the refresh cookie', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', { code: 'FORBIDDEN', status: 403 });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(240_000);
      expect(auth.getState().status).toBe('anonymous');
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('sign-in, sign-up and sign-out', () => {
    it('rejects with the server error and stays anonymous on a wrong password', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      server.reply('auth.login', UNAUTHORIZED);
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.restore();

      const error = await auth.signIn({ email: user.email, password: 'wrong' }).catch((e: unknown) => e);
      expect(getErrorCode(error)).toBe('UNAUTHORIZED');
      expect(auth.getState().status).toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(1);
    });

    it('signs in after sign-up', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'new');
      server.reply('auth.register', { data: session });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      await auth.signUp({ email: user.email, password: 'correct horse', name: 'Ada' });
      expect(auth.getState()).toEqual({ status: 'authenticated', session });
    });

    it('ignores a restore that answers after the user signed in', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const fresh = issue(Date.now(), 'fresh');
      server.reply('auth.login', { data: fresh });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });

      const restored = auth.restore();
      await auth.signIn({ email: user.email, password: 'correct horse' });
      await restored;
      expect(auth.getState()).toEqual({ status: 'authenticated', session: fresh });
    });

    it('refreshes and retries an UNAUTHORIZED logout, so the server really revokes', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'stale') });
      const fresh = issue(Date.now(), 'fresh');
      server.reply('auth.refresh', { data: fresh });
      server.reply('auth.logout', UNAUTHORIZED, { data: { ok: true } });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: true });
      expect(server.requests.at(-1)).toEqual({ path: 'auth.logout', authorization: `Bearer ${fresh.accessToken}` });
      expect(auth.getState().status).toBe('anonymous');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('signs out locally even when the server cannot be reached', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.logout', 'network');
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: false });
      expect(auth.getAccessToken()).toBeNull();
    });

    it('never sends the access token to the credential-establishing procedures', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', { data: issue(Date.now(), 'second') });
      const auth = createAuthClient({ url: '/trpc', fetch: server.fetch });
      await auth.signIn({ email: user.email, password: 'correct horse' });
      await auth.refresh();

      expect(server.requests.map((r) => r.authorization)).toEqual([null, null]);
    });
  });
});
