import type { AuthClientRouter } from '@tessera/api';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, createAuthClient } from './create-auth-client';
import { createTabCoordinator, LOCK_HANDOFF_MS } from './cross-tab';
import { SignedOutError } from './errors';
import { fakeServer, gatedReply, issue, type Reply, user } from './testing/fake-server';
import { testLockManager } from './testing/test-lock-manager';

/**
 * Two or three auth clients in one process play the tabs of one browser: they share a real
 * BroadcastChannel (Node's, which delivers between objects of the same name), an in-test lock
 * manager with the `navigator.locks.request` contract, and one fake server (one cookie jar).
 */

// Captured before the fake timers are installed: message delivery needs real turns of the event
// loop, and waiting for it must not move the fake clock.
const realSetTimeout = globalThis.setTimeout;

/** Lets BroadcastChannel messages arrive. The fake clock does not move. */
async function deliver(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => realSetTimeout(resolve, 0));
}

const UNAUTHORIZED: Reply = { code: 'UNAUTHORIZED', status: 401 };
const credentials = { email: user.email, password: 'correct horse' };

let browsers = 0;
const disposers: Array<() => void> = [];

/** Opens `count` tabs of a fresh "browser" (unique channel and lock names, so tests stay apart). */
function openTabs(count: number, server: ReturnType<typeof fakeServer>, handoffMs?: number) {
  const name = `tessera-auth-test-${++browsers}`;
  const locks = testLockManager();
  const tabs: AuthClient[] = [];
  for (let i = 0; i < count; i++) {
    const tab = createAuthClient({
      url: '/trpc',
      fetch: server.fetch,
      tabs: createTabCoordinator({ name, locks, handoffMs }),
    });
    disposers.push(() => tab.dispose());
    tabs.push(tab);
  }
  // A bare channel of the same name: lets a test post what another tab (or build) would.
  const channel = new BroadcastChannel(name);
  disposers.push(() => channel.close());
  return { tabs, locks, channel, lockName: `${name}:refresh` };
}

/** Two tabs, both signed in with the session that tab A received. */
async function twoSignedInTabs(server: ReturnType<typeof fakeServer>, handoffMs?: number) {
  const first = issue(Date.now(), 'first');
  server.reply('auth.login', { data: first });
  const opened = openTabs(2, server, handoffMs);
  const [a, b] = opened.tabs;
  if (a === undefined || b === undefined) throw new Error('two tabs expected');
  await a.signIn(credentials);
  await deliver();
  await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);
  expect(b.getSession()).toEqual(first);
  return { ...opened, a, b, first };
}

describe('createAuthClient across tabs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    for (const dispose of disposers.splice(0)) dispose();
    vi.useRealTimers();
  });

  describe('changing the password', () => {
    it('sends the current token outside the link, adopts the fresh session, and every tab follows', async () => {
      const server = fakeServer();
      const { a, b, first, locks } = await twoSignedInTabs(server);
      const fresh = issue(Date.now(), 'after-password-change');
      server.reply('auth.changePassword', { data: fresh });

      const changed = a.changePassword({ currentPassword: 'correct horse', newPassword: 'battery staple' });
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);

      await expect(changed).resolves.toEqual(fresh);
      expect(server.requests.filter((r) => r.path === 'auth.changePassword')).toEqual([
        { path: 'auth.changePassword', authorization: `Bearer ${first.accessToken}` },
      ]);
      expect(server.count('auth.refresh')).toBe(0);
      expect(a.getState()).toEqual({ status: 'authenticated', session: fresh });
      expect(b.getState()).toEqual({ status: 'authenticated', session: fresh });
      expect(locks.maxConcurrent()).toBe(1);
    });

    it('keeps the session when the current password is wrong', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      server.reply('auth.changePassword', UNAUTHORIZED);

      const outcome = a.changePassword({ currentPassword: 'wrong', newPassword: 'battery staple' }).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);
      expect(await outcome).toMatchObject({ data: { code: 'UNAUTHORIZED' } });

      expect(server.count('auth.refresh')).toBe(0);
      expect(a.getSession()).toEqual(first);
      expect(b.getSession()).toEqual(first);
    });
  });

  describe('one refresh at a time', () => {
    it('two tabs refreshing at once send one request and end with the same token', async () => {
      const server = fakeServer();
      const { a, b, locks } = await twoSignedInTabs(server);
      const second = issue(Date.now(), 'second');
      server.reply('auth.refresh', { data: second });

      const both = Promise.all([a.refresh(), b.refresh()]);
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);

      await expect(both).resolves.toEqual([second, second]);
      expect(server.count('auth.refresh')).toBe(1);
      expect(a.getState()).toEqual({ status: 'authenticated', session: second });
      expect(b.getState()).toEqual({ status: 'authenticated', session: second });
      expect(locks.maxConcurrent()).toBe(1);
    });

    it('three tabs reloading at once restore with one request', async () => {
      const server = fakeServer();
      const restored = issue(Date.now(), 'restored');
      server.reply('auth.refresh', { data: restored });
      const { tabs } = openTabs(3, server);

      const statuses = Promise.all(tabs.map((tab) => tab.restore()));
      await deliver();
      await vi.advanceTimersByTimeAsync(2 * LOCK_HANDOFF_MS);

      await expect(statuses).resolves.toEqual(['authenticated', 'authenticated', 'authenticated']);
      expect(server.count('auth.refresh')).toBe(1);
      expect(tabs.map((tab) => tab.getAccessToken())).toEqual(Array(3).fill(restored.accessToken));
    });

    it('the proactive refresh of one tab is adopted by the other, which does not refresh itself', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      const second = issue(Date.now() + 240_000, 'second');
      server.reply('auth.refresh', { data: second });

      // Both timers fall due at the same instant; one tab refreshes, the other waits and adopts.
      await vi.advanceTimersByTimeAsync(240_000);
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);

      expect(server.count('auth.refresh')).toBe(1);
      expect(a.getAccessToken()).toBe(second.accessToken);
      expect(b.getAccessToken()).toBe(second.accessToken);

      // And the next cycle again costs one request, not one per tab.
      server.reply('auth.refresh', { data: issue(Date.now() + 240_000, 'third') });
      await vi.advanceTimersByTimeAsync(240_000);
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);
      expect(server.count('auth.refresh')).toBe(2);
      expect(a.getAccessToken()).toBe(b.getAccessToken());
    });

    it('two tabs waking from sleep with many queued calls spend one refresh between them', async () => {
      const server = fakeServer();
      server.reply('auth.me', { data: user });
      const { a, b } = await twoSignedInTabs(server);
      const api = (tab: AuthClient) =>
        createTRPCClient<AuthClientRouter>({
          links: [tab.link, httpLink({ url: '/trpc', fetch: server.fetch, headers: tab.headers })],
        });

      // Eight hours asleep: the timers' clock paused, the wall clock did not.
      vi.setSystemTime(Date.now() + 8 * 3_600_000);
      const fresh = issue(Date.now(), 'after-sleep');
      server.reply('auth.refresh', { data: fresh });
      const calls = [a, a, a, b, b, b].map((tab) => api(tab).auth.me.query());
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);

      await expect(Promise.all(calls)).resolves.toHaveLength(6);
      expect(server.count('auth.refresh')).toBe(1);
      const sent = server.requests.filter((r) => r.path === 'auth.me').map((r) => r.authorization);
      expect(sent).toEqual(Array(6).fill(`Bearer ${fresh.accessToken}`));
    });

    it('stays correct when the lock is handed over before the message arrives: one extra request', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server, 0);
      server.reply('auth.refresh', { data: issue(Date.now(), 'second') }, { data: issue(Date.now(), 'third') });

      const both = Promise.all([a.refresh(), b.refresh()]);
      await both;
      await deliver();

      // Why LOCK_HANDOFF_MS exists; and without it the tabs still agree on a valid session.
      expect(server.count('auth.refresh')).toBe(2);
      expect(a.getAccessToken()).toBe(b.getAccessToken());
      expect(a.getState().status).toBe('authenticated');
    });
  });

  describe('sign-in and sign-out', () => {
    it('sign-out in one tab signs the other out at once, without waiting for the server', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.logout', 'hang');
      const clockBefore = Date.now();

      void a.signOut();
      await deliver();

      // The other tab says why: the user signed out (issue 10, point 12).
      expect(b.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SIGNED_OUT' });
      expect(b.getAccessToken()).toBeNull();
      expect(Date.now()).toBe(clockBefore);
      expect(server.count('auth.logout')).toBe(1);
    });

    it('a tab signed out elsewhere stops refreshing and never calls the server about it', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.logout', { data: { ok: true } });
      server.reply('auth.refresh', UNAUTHORIZED);

      await expect(a.signOut()).resolves.toEqual({ revoked: true });
      await deliver();
      await vi.advanceTimersByTimeAsync(3_600_000);

      expect(a.getState().status).toBe('anonymous');
      expect(b.getState().status).toBe('anonymous');
      expect(server.count('auth.logout')).toBe(1);
      expect(server.count('auth.refresh')).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('sign-in in one tab signs in the other, even one showing the sign-in page', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const session = issue(Date.now(), 'signed-in');
      server.reply('auth.login', { data: session });
      const { tabs } = openTabs(2, server);
      const [a, b] = tabs;
      if (a === undefined || b === undefined) throw new Error('two tabs expected');
      await Promise.all([a.restore(), b.restore()]);
      expect(b.getState().status).toBe('anonymous');
      const seen: string[] = [];
      b.subscribe(() => seen.push(b.getState().status));

      await a.signIn(credentials);
      await deliver();

      expect(b.getState()).toEqual({ status: 'authenticated', session });
      expect(seen).toEqual(['authenticated']);
      expect(server.count('auth.login')).toBe(1);
    });

    it('sign-up in one tab signs in the other', async () => {
      const server = fakeServer();
      const session = issue(Date.now(), 'registered');
      server.reply('auth.register', { data: session });
      const { tabs } = openTabs(2, server);
      const [a, b] = tabs;
      if (a === undefined || b === undefined) throw new Error('two tabs expected');

      await a.signUp({ ...credentials, name: 'Ada' });
      await deliver();

      expect(b.getSession()).toEqual(session);
    });

    it('a refresh answered after a sign-out elsewhere does not sign the tab back in', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      const gate = gatedReply();
      server.reply('auth.refresh', gate.reply);
      server.reply('auth.logout', { data: { ok: true } });

      const refreshing = a.refresh();
      // B's logout waits for A's refresh to leave the lock; the other tabs are told at once.
      const signingOut = b.signOut();
      await deliver();
      expect(a.getState().status).toBe('anonymous');

      gate.release({ data: issue(Date.now(), 'too-late') });
      await refreshing;
      await expect(signingOut).resolves.toEqual({ revoked: true });
      await deliver();

      expect(a.getState().status).toBe('anonymous');
      expect(b.getState().status).toBe('anonymous');
    });

    it('a tab queued for the lock when the session ends elsewhere does not call the server', async () => {
      const server = fakeServer();
      const { a, b, channel } = await twoSignedInTabs(server);
      const gate = gatedReply();
      server.reply('auth.refresh', gate.reply);

      const first = a.refresh().catch((e: unknown) => e);
      const queued = b.refresh().catch((e: unknown) => e);
      // A third tab signs out while A's refresh is on the wire and B waits for the lock.
      channel.postMessage({ type: 'signed-out' });
      await deliver();
      gate.release({ data: issue(Date.now(), 'too-late') });

      await first;
      expect(await queued).toBeInstanceOf(SignedOutError);
      expect(server.count('auth.refresh')).toBe(1);
      expect(a.getState().status).toBe('anonymous');
      expect(b.getState().status).toBe('anonymous');
    });

    it('a refreshed session from another tab does not revive a signed-out tab, but updates a signed-in one', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', UNAUTHORIZED);
      const { tabs, channel } = openTabs(1, server);
      const [tab] = tabs;
      if (tab === undefined) throw new Error('one tab expected');
      await tab.restore();
      const other = issue(Date.now(), 'other');

      channel.postMessage({ type: 'refreshed', session: other });
      await deliver();
      expect(tab.getState().status).toBe('anonymous');

      channel.postMessage({ type: 'signed-in', session: other });
      await deliver();
      const newer = issue(Date.now() + 1_000, 'newer');
      channel.postMessage({ type: 'refreshed', session: newer });
      await deliver();
      expect(tab.getState()).toEqual({ status: 'authenticated', session: newer });

      // One that arrives late, after a newer session, is not taken.
      channel.postMessage({ type: 'refreshed', session: other });
      await deliver();
      expect(tab.getSession()).toEqual(newer);
    });

    it('ignores messages it does not understand', async () => {
      const server = fakeServer();
      const { b, channel, first } = await twoSignedInTabs(server);

      channel.postMessage({ type: 'signed-in', session: { accessToken: 42 } });
      channel.postMessage({ type: 'refreshed' });
      channel.postMessage('signed-out');
      channel.postMessage({ type: 'take-over', session: first });
      await deliver();

      expect(b.getState()).toEqual({ status: 'authenticated', session: first });
    });
  });

  describe('failures', () => {
    it('transient failures sign no tab out, and the retries stop at the cap', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.refresh', { code: 'SERVICE_UNAVAILABLE', status: 503 }, 'network');

      await vi.advanceTimersByTimeAsync(24 * 3_600_000);

      expect(a.getState().status).toBe('authenticated');
      expect(b.getState().status).toBe('authenticated');
      // Each tab: at most five rounds of three tries, then its timer stops.
      expect(server.count('auth.refresh')).toBe(2 * 5 * 3);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a refused refresh cookie in one tab signs every tab out', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.refresh', UNAUTHORIZED);

      await a.refresh().catch(() => undefined);
      await deliver();

      expect(a.getState().status).toBe('anonymous');
      expect(b.getState().status).toBe('anonymous');
      expect(server.count('auth.refresh')).toBe(1);
    });
  });

  describe('sessions that end on the server (issue 7)', () => {
    const REVOKED: Reply = { code: 'UNAUTHORIZED', status: 401, reason: 'SESSION_REVOKED' };

    function api(tab: AuthClient, server: ReturnType<typeof fakeServer>) {
      return createTRPCClient<AuthClientRouter>({
        links: [tab.link, httpLink({ url: '/trpc', fetch: server.fetch, headers: tab.headers })],
      });
    }

    it('a call refused with SESSION_REVOKED signs every tab out at once, with the reason, and never refreshes', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.me', REVOKED);

      const error = await api(b, server)
        .auth.me.query()
        .catch((e: unknown) => e);
      await deliver();

      expect(error).toMatchObject({ data: { reason: 'SESSION_REVOKED' } });
      expect(a.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SESSION_REVOKED' });
      expect(b.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SESSION_REVOKED' });
      expect(server.count('auth.refresh')).toBe(0);
      expect(server.count('auth.logout')).toBe(0);
    });

    it('a refresh refused as reused signs every tab out and says why', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.refresh', { code: 'UNAUTHORIZED', status: 401, reason: 'REFRESH_TOKEN_REUSED' });

      await a.refresh().catch(() => undefined);
      await deliver();

      expect(a.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'REFRESH_TOKEN_REUSED' });
      expect(b.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'REFRESH_TOKEN_REUSED' });
    });

    it('a plain sign-out afterwards does not wipe the explanation, and a sign-in clears it', async () => {
      const server = fakeServer();
      const { a } = await twoSignedInTabs(server);
      server.reply('auth.refresh', { code: 'UNAUTHORIZED', status: 401, reason: 'SESSION_REVOKED' });
      await a.refresh().catch(() => undefined);
      expect(a.getState()).toMatchObject({ endedBecause: 'SESSION_REVOKED' });

      await a.signOut();
      expect(a.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'SESSION_REVOKED' });
      server.reply('auth.login', { data: issue(Date.now(), 'again', 'session-2') });
      await a.signIn(credentials);
      expect(a.getState().status).toBe('authenticated');
    });

    it('a sign-out racing a sign-in in another tab never clears the newer session', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      // B signs in again (say, as someone else) and its answer is still on the wire...
      const login = gatedReply();
      server.reply('auth.login', login.reply);
      server.reply('auth.logout', { data: { ok: true } });
      const signingIn = b.signIn(credentials);
      await deliver();
      // ...when the user clicks "Sign out" in A.
      const signingOut = a.signOut();
      await deliver();
      const newer = issue(Date.now(), 'newer', 'session-2');
      login.release({ data: newer });
      await signingIn;
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);
      await expect(signingOut).resolves.toEqual({ revoked: true });
      await deliver();

      // A ended its own session with its own token, and the browser ignored the answer's
      // cookie-clearing (credentials 'omit'): B's fresh cookie survives, and both tabs hold it.
      const logout = server.requests.filter((r) => r.path === 'auth.logout');
      expect(logout).toEqual([
        { path: 'auth.logout', authorization: `Bearer ${first.accessToken}`, credentials: 'omit' },
      ]);
      const paths = server.requests.map((r) => r.path);
      expect(paths.lastIndexOf('auth.logout')).toBeGreaterThan(paths.lastIndexOf('auth.login'));
      expect(b.getSession()).toEqual(newer);
      expect(a.getSession()).toEqual(newer);
    });

    it('a sign-out that reaches the lock first lets the sign-in after it keep its cookie', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      const logout = gatedReply();
      server.reply('auth.logout', logout.reply);
      const newer = issue(Date.now(), 'newer', 'session-2');
      server.reply('auth.login', { data: newer });

      const signingOut = a.signOut();
      await deliver();
      const signingIn = b.signIn(credentials);
      await deliver();
      // The sign-in waits for the sign-out's answer (and its cookie-clearing) before it asks.
      expect(server.count('auth.login')).toBe(1);
      logout.release({ data: { ok: true } });
      await signingOut;
      await signingIn;
      await deliver();

      const paths = server.requests.map((r) => r.path);
      expect(paths.lastIndexOf('auth.logout')).toBeLessThan(paths.lastIndexOf('auth.login'));
      expect(server.requests.find((r) => r.path === 'auth.logout')?.credentials).toBeUndefined();
      expect(b.getSession()).toEqual(newer);
      expect(a.getSession()).toEqual(newer);
    });

    it('ignores a sign-out message about a session it no longer holds', async () => {
      const server = fakeServer();
      const { b, channel } = await twoSignedInTabs(server);
      const newer = issue(Date.now(), 'newer', 'session-2');
      server.reply('auth.login', { data: newer });
      await b.signIn(credentials);

      channel.postMessage({ type: 'signed-out', sessionId: 'session-1', reason: null });
      await deliver();
      expect(b.getSession()).toEqual(newer);

      channel.postMessage({ type: 'signed-out', sessionId: 'session-2', reason: 'SESSION_REVOKED' });
      await deliver();
      expect(b.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'SESSION_REVOKED' });
    });

    it('a tab whose restore failed offline adopts a later refresh from another tab, without a reload', async () => {
      const server = fakeServer();
      server.reply('auth.refresh', 'network');
      const { tabs } = openTabs(2, server);
      const [a, b] = tabs;
      if (a === undefined || b === undefined) throw new Error('two tabs expected');
      const restoring = b.restore();
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(restoring).resolves.toBe('anonymous');

      const back = issue(Date.now(), 'back-online');
      server.reply('auth.refresh', { data: back });
      await a.restore();
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);

      expect(b.getState()).toEqual({ status: 'authenticated', session: back });
    });

    it('a tab that signed out does not adopt another tab’s refresh', async () => {
      const server = fakeServer();
      const { a, b, channel } = await twoSignedInTabs(server);
      server.reply('auth.logout', { data: { ok: true } });
      await b.signOut();
      await deliver();
      expect(a.getState().status).toBe('anonymous');

      channel.postMessage({ type: 'refreshed', session: issue(Date.now(), 'late') });
      await deliver();
      expect(b.getState().status).toBe('anonymous');
    });

    it('a password change refused because the session was revoked signs every tab out, with the reason', async () => {
      const server = fakeServer();
      const { a, b } = await twoSignedInTabs(server);
      server.reply('auth.changePassword', REVOKED);

      const outcome = a
        .changePassword({ currentPassword: 'correct horse', newPassword: 'battery staple' })
        .catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS);
      expect(await outcome).toMatchObject({ data: { reason: 'SESSION_REVOKED' } });
      await deliver();

      expect(a.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'SESSION_REVOKED' });
      expect(b.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'SESSION_REVOKED' });
    });

    it('signOutEverywhere ends every session on the server and signs every tab out', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      server.reply('auth.logoutAll', { data: { ok: true } });

      await a.signOutEverywhere();
      await deliver();

      expect(server.requests.filter((r) => r.path === 'auth.logoutAll')).toEqual([
        { path: 'auth.logoutAll', authorization: `Bearer ${first.accessToken}`, credentials: undefined },
      ]);
      expect(a.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SIGNED_OUT_EVERYWHERE' });
      expect(b.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SIGNED_OUT_EVERYWHERE' });
    });

    it('signOutEverywhere keeps the session and rejects when the server cannot be reached', async () => {
      const server = fakeServer();
      const { a, first } = await twoSignedInTabs(server);
      server.reply('auth.logoutAll', 'network');

      await expect(a.signOutEverywhere()).rejects.toThrow();
      expect(a.getSession()).toEqual(first);
    });

    it('deleteAccount deletes it on the server and signs every tab out, saying why', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      server.reply('auth.account.delete', { data: { ok: true } });

      await a.deleteAccount({ confirmEmail: 'ada@example.com' });
      await deliver();

      expect(server.requests.filter((r) => r.path === 'auth.account.delete')).toEqual([
        { path: 'auth.account.delete', authorization: `Bearer ${first.accessToken}`, credentials: undefined },
      ]);
      expect(a.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'ACCOUNT_DELETED' });
      expect(b.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'ACCOUNT_DELETED' });
    });

    it('deleteAccount refused (the last admin) keeps every tab signed in and rejects with the server’s words', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      server.reply('auth.account.delete', { code: 'PRECONDITION_FAILED', status: 412 });

      await expect(a.deleteAccount({ confirmEmail: 'ada@example.com' })).rejects.toThrow();
      await deliver();
      expect(a.getSession()).toEqual(first);
      expect(b.getSession()).toEqual(first);
    });
  });

  describe('dispose', () => {
    it('stops listening and leaves no timer behind', async () => {
      const server = fakeServer();
      const { a, b, first } = await twoSignedInTabs(server);
      server.reply('auth.logout', { data: { ok: true } });

      b.dispose();
      expect(vi.getTimerCount()).toBe(1);
      await a.signOut();
      await deliver();

      expect(b.getSession()).toEqual(first);
      a.dispose();
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
