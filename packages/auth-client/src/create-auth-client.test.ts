import type { AuthClientRouter } from '@tessera/api';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, createAuthClient } from './create-auth-client';
import { createSingleTabCoordinator } from './cross-tab';
import { getErrorCode } from './errors';
import { fakeServer, issue, type Reply, user } from './testing/fake-server';

const UNAUTHORIZED: Reply = { code: 'UNAUTHORIZED', status: 401 };
const EXPIRED: Reply = { code: 'UNAUTHORIZED', status: 401, reason: 'ACCESS_TOKEN_EXPIRED' };

const clients: AuthClient[] = [];

/** One tab on its own: the cross-tab behaviour has its own tests (create-auth-client.cross-tab.test.ts). */
function singleTab(server: ReturnType<typeof fakeServer>): AuthClient {
  const client = createAuthClient({ url: '/trpc', fetch: server.fetch, tabs: createSingleTabCoordinator() });
  clients.push(client);
  return client;
}

describe('createAuthClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.dispose();
    vi.useRealTimers();
  });

  describe('restore', () => {
    it('starts loading and becomes authenticated when the cookie is good', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'restored');
      server.reply('auth.refresh', { data: session });
      const auth = singleTab(server);
      const seen: string[] = [];
      auth.subscribe(() => seen.push(auth.getState().status));

      expect(auth.getState().status).toBe('loading');
      await expect(auth.restore()).resolves.toBe('authenticated');
      expect(seen).toEqual(['authenticated']);
      expect(auth.getSession()).toEqual(session);
      expect(auth.headers()).toEqual({ authorization: `Bearer ${session.accessToken}` });
    });

    /** @see issue 10, point 15: a first visit's refresh could only fail, as a console error. */
    it('makes no request when the browser cannot be signed in (no flag cookie)', async () => {
      const server = fakeServer();
      const auth = createAuthClient({
        url: '/trpc',
        fetch: server.fetch,
        tabs: createSingleTabCoordinator(),
        maybeSignedIn: () => false,
      });
      clients.push(auth);

      await expect(auth.restore()).resolves.toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(0);
      expect(auth.getState()).toMatchObject({ status: 'anonymous', endedBecause: null });
    });

    it('becomes anonymous at once on UNAUTHORIZED, without retrying', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const auth = singleTab(server);

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
      const auth = singleTab(server);

      const restored = auth.restore();
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(restored).resolves.toBe('authenticated');
      expect(server.count('auth.refresh')).toBe(3);
    });

    it('gives up after the hard cap and leaves loading, without calling auth.logout', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', 'network');
      const auth = singleTab(server);

      const restored = auth.restore();
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(restored).resolves.toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(3);
      expect(server.count('auth.logout')).toBe(0);
    });

    it('sends one refresh for concurrent restore and refresh callers', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', { data: issue(Date.now(), 'once') });
      const auth = singleTab(server);

      await Promise.all([auth.restore(), auth.restore(), auth.refresh(), auth.refresh()]);
      expect(server.count('auth.refresh')).toBe(1);
    });
  });

  describe('proactive refresh', () => {
    it('refreshes at 80 % of the token lifetime and keeps going', async () => {
      const server = fakeServer();
      const first = issue(Date.now(), 'first');
      server.reply('auth.login', { data: first });
      const auth = singleTab(server);
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
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(240_000);
      expect(server.count('auth.refresh')).toBe(1);
    });

    it('stops on sign-out', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'first');
      server.reply('auth.login', { data: session });
      server.reply('auth.logout', { data: { ok: true } });
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: true });
      expect(server.requests.at(-1)).toMatchObject({
        path: 'auth.logout',
        authorization: `Bearer ${session.accessToken}`,
      });
      expect(auth.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SIGNED_OUT' });
      expect(vi.getTimerCount()).toBe(0);

      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(server.count('auth.refresh')).toBe(0);
    });

    it('keeps the session when the refresh cannot reach the server, and tries again later', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', 'network', 'network', 'network', { data: issue(Date.now() + 270_000, 'later') });
      const auth = singleTab(server);
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
      const auth = singleTab(server);
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
      const auth = singleTab(server);
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
      const auth = singleTab(server);

      await auth.signUp({ email: user.email, password: 'correct horse', name: 'Ada' });
      expect(auth.getState()).toEqual({ status: 'authenticated', session });
    });

    it('signs in with a passkey: the challenge goes to the ceremony, its answer to authenticate, sent without a token', async () => {
      const server = fakeServer();
      const options = { challenge: 'c2VydmVyLWNoYWxsZW5nZQ', rpId: 'localhost', userVerification: 'required' as const };
      server.reply('auth.passkeys.authenticationOptions', { data: options });
      const session = issue(Date.now(), 'passkey');
      server.reply('auth.passkeys.authenticate', { data: session });
      const auth = singleTab(server);
      const assertion = {
        id: 'Y3JlZA',
        rawId: 'Y3JlZA',
        type: 'public-key' as const,
        clientExtensionResults: {},
        response: { clientDataJSON: 'e30', authenticatorData: 'YQ', signature: 'cw' },
      };
      const seen: unknown[] = [];

      await auth.signInWithPasskey(async (given) => {
        seen.push(given);
        return assertion;
      });
      expect(seen).toEqual([options]);
      expect(auth.getState()).toEqual({ status: 'authenticated', session });
      expect(server.requests.map((request) => [request.path, request.authorization])).toEqual([
        ['auth.passkeys.authenticationOptions', null],
        ['auth.passkeys.authenticate', null],
      ]);
    });

    it('stays signed out, asking nothing more of the server, when the passkey prompt is cancelled', async () => {
      const server = fakeServer();
      server.reply('auth.passkeys.authenticationOptions', { data: { challenge: 'Yw' } });
      server.reply('auth.refresh', UNAUTHORIZED);
      const auth = singleTab(server);
      await auth.restore();
      const cancelled = new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError');

      await expect(auth.signInWithPasskey(() => Promise.reject(cancelled))).rejects.toBe(cancelled);
      expect(server.count('auth.passkeys.authenticate')).toBe(0);
      expect(auth.getState().status).toBe('anonymous');
    });

    it('ignores a restore that answers after the user signed in', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const fresh = issue(Date.now(), 'fresh');
      server.reply('auth.login', { data: fresh });
      const auth = singleTab(server);

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
      server.reply('auth.logout', EXPIRED, { data: { ok: true } });
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: true });
      expect(server.requests.at(-1)).toMatchObject({
        path: 'auth.logout',
        authorization: `Bearer ${fresh.accessToken}`,
      });
      expect(auth.getState().status).toBe('anonymous');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a sign-out while signed out asks the server for nothing: no refresh could revive a session', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED, { data: issue(Date.now(), 'revived') });
      const auth = singleTab(server);
      await auth.restore();

      await expect(auth.signOut()).resolves.toEqual({ revoked: false });
      expect(server.count('auth.refresh')).toBe(1);
      expect(server.count('auth.logout')).toBe(0);
      expect(auth.getState().status).toBe('anonymous');
    });

    it('signs out locally even when the server cannot be reached', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.logout', 'network');
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await expect(auth.signOut()).resolves.toEqual({ revoked: false });
      expect(auth.getAccessToken()).toBeNull();
    });

    it('never sends the access token to the credential-establishing procedures', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', { data: issue(Date.now(), 'second') });
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });
      await auth.refresh();

      expect(server.requests.map((r) => r.authorization)).toEqual([null, null]);
    });
  });

  describe('transient failures and the hard cap', () => {
    it('treats 503 and 5xx as transient: the session is kept', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply(
        'auth.refresh',
        { code: 'SERVICE_UNAVAILABLE', status: 503 },
        { code: 'INTERNAL_SERVER_ERROR', status: 500 },
      );
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(240_000 + 10_000);
      expect(server.count('auth.refresh')).toBe(3);
      expect(auth.getState().status).toBe('authenticated');
    });

    it('stops the background loop after the cap, until something asks for a token again', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      server.reply('auth.refresh', 'network');
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      // 240 s to the first round, then at most 30 + 60 + 120 + 120 s between rounds (with retries).
      await vi.advanceTimersByTimeAsync(24 * 3_600_000);
      expect(server.count('auth.refresh')).toBe(5 * 3);
      expect(auth.getState().status).toBe('authenticated');
      expect(vi.getTimerCount()).toBe(0);

      // A call that needs a token starts a round of its own, and with it a fresh, capped loop.
      const asked = auth.refresh().catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(getErrorCode(await asked)).toBeUndefined();
      expect(server.count('auth.refresh')).toBe(6 * 3);
      expect(vi.getTimerCount()).toBe(1);
    });

    it('counts failed rounds in a row: a success starts the count again', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'first') });
      const fourFailedRounds: Reply[] = Array(4 * 3).fill('network');
      server.reply('auth.refresh', ...fourFailedRounds, { data: issue(Date.now(), 'back') }, 'network');
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      await vi.advanceTimersByTimeAsync(24 * 3_600_000);
      // Four failed rounds, the success, then a full five failed rounds before the loop stops.
      expect(server.count('auth.refresh')).toBe(4 * 3 + 1 + 5 * 3);
      expect(auth.getState().status).toBe('authenticated');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('abandons a refresh request that never answers, and retries it', async () => {
      const server = fakeServer();
      const fresh = issue(Date.now(), 'fresh');
      server.reply('auth.refresh', 'hang', { data: fresh });
      const auth = singleTab(server);

      const restored = auth.restore();
      await vi.advanceTimersByTimeAsync(9_999);
      expect(server.count('auth.refresh')).toBe(1);
      await vi.advanceTimersByTimeAsync(1 + 1_000);
      await expect(restored).resolves.toBe('authenticated');
      expect(server.count('auth.refresh')).toBe(2);
      expect(auth.getAccessToken()).toBe(fresh.accessToken);
    });
  });

  describe('calls through the link', () => {
    function api(auth: AuthClient, server: ReturnType<typeof fakeServer>) {
      return createTRPCClient<AuthClientRouter>({
        links: [auth.link, httpLink({ url: '/trpc', fetch: server.fetch, headers: auth.headers })],
      });
    }

    it('after sleep, refreshes once before sending the queued calls, not once per call', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'before-sleep') });
      server.reply('auth.me', { data: user });
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });

      // The machine sleeps for 8 hours; the timer's clock pauses with it, the wall clock does not.
      vi.setSystemTime(Date.now() + 8 * 3_600_000);
      const fresh = issue(Date.now(), 'after-sleep');
      server.reply('auth.refresh', { data: fresh });
      const trpc = api(auth, server);

      await expect(Promise.all([1, 2, 3, 4, 5].map(() => trpc.auth.me.query()))).resolves.toHaveLength(5);
      expect(server.count('auth.refresh')).toBe(1);
      const sent = server.requests.filter((r) => r.path === 'auth.me').map((r) => r.authorization);
      expect(sent).toEqual(Array(5).fill(`Bearer ${fresh.accessToken}`));
    });

    it('fails the queued calls with UNAUTHORIZED, without replaying them, when the refresh is refused', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'before-sleep') });
      server.reply('auth.me', UNAUTHORIZED);
      server.reply('auth.refresh', UNAUTHORIZED);
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });
      vi.setSystemTime(Date.now() + 8 * 3_600_000);
      const trpc = api(auth, server);

      const errors = await Promise.all([1, 2, 3].map(() => trpc.auth.me.query().catch((e: unknown) => e)));
      expect(errors.map(getErrorCode)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
      expect(server.count('auth.refresh')).toBe(1);
      expect(server.count('auth.me')).toBe(3);
      expect(auth.getState().status).toBe('anonymous');
    });

    it('on ACCESS_TOKEN_EXPIRED with a live-looking token, refreshes once for all calls and retries each once', async () => {
      const server = fakeServer();
      server.reply('auth.login', { data: issue(Date.now(), 'revoked-key') });
      const fresh = issue(Date.now(), 'fresh');
      server.reply('auth.refresh', { data: fresh });
      const auth = singleTab(server);
      await auth.signIn({ email: user.email, password: 'correct horse' });
      server.reply('auth.me', EXPIRED, EXPIRED, EXPIRED, { data: user });
      const trpc = api(auth, server);

      await expect(Promise.all([1, 2, 3].map(() => trpc.auth.me.query()))).resolves.toHaveLength(3);
      expect(server.count('auth.refresh')).toBe(1);
      expect(server.count('auth.me')).toBe(6);
    });
  });
});
