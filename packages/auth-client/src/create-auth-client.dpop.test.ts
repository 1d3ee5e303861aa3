import { createHash } from 'node:crypto';
import type { AuthClientRouter } from '@tessera/api';
import { createTRPCClient, httpLink } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, createAuthClient } from './create-auth-client';
import { createSingleTabCoordinator, createTabCoordinator } from './cross-tab';
import type { DeviceKeyStore } from './dpop/device-key';
import { fakeServer, issue, type Reply, user } from './testing/fake-server';
import { memoryDeviceKeys } from './testing/memory-device-keys';
import { testLockManager } from './testing/test-lock-manager';

/**
 * The auth client with a device key (DPoP): which key signs what, and when the key goes. The
 * proofs themselves are tested in dpop/; here the fake server only looks at what was sent.
 */

const credentials = { email: user.email, password: 'correct horse' };
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sha256url = (text: string) => createHash('sha256').update(text).digest('base64url');

/** A session the server bound to the key `jkt` (its token carries `cnf.jkt`). */
function bound(jkt: string, label: string, sessionId = 'session-1') {
  const session = issue(Date.now(), label, sessionId);
  const [header, payload, signature] = session.accessToken.split('.');
  const claims: Record<string, unknown> = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
  return { ...session, accessToken: `${header}.${b64({ ...claims, cnf: { jkt } })}.${signature}` };
}

/** The fake server, also noting each request's DPoP proof (its header's key and its claims). */
function dpopServer() {
  const server = fakeServer();
  const proofs: Array<{ path: string; jkt: string | null; claims: Record<string, unknown> | null }> = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const path = new URL(String(input), 'http://localhost').pathname.replace('/trpc/', '');
    const proof = new Headers(init?.headers).get('dpop');
    const [header, claims] = proof?.split('.') ?? [];
    const decode = (part: string | undefined) => (part ? JSON.parse(Buffer.from(part, 'base64url').toString()) : null);
    const jwk = decode(header)?.jwk;
    proofs.push({
      path,
      jkt: jwk ? sha256url(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })) : null,
      claims: decode(claims),
    });
    return server.fetch(input, init);
  };
  return { ...server, fetch: fetchImpl, proofs, proofsFor: (path: string) => proofs.filter((p) => p.path === path) };
}

const clients: AuthClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
  vi.restoreAllMocks();
});

// Relative request URLs resolve against the page; Node has none, so the tests give it one.
vi.stubGlobal('location', new URL('https://app.example/'));

function tab(server: ReturnType<typeof dpopServer>, dpop: DeviceKeyStore | false | undefined) {
  const auth = createAuthClient({ url: '/trpc', fetch: server.fetch, tabs: createSingleTabCoordinator(), dpop });
  clients.push(auth);
  return auth;
}

/** The app's own client, as apps/web makes it: the auth client's headers and fetch. */
const appClient = (auth: AuthClient) =>
  createTRPCClient<AuthClientRouter>({
    links: [auth.link, httpLink({ url: '/trpc', headers: auth.headers, fetch: auth.fetch })],
  });

describe('createAuthClient with a device key', () => {
  it('signs in with the stored key, and the bound session then goes as DPoP with proofs from it', async () => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const server = dpopServer();
    const session = bound(key.jkt, 'bound');
    server.reply('auth.login', { data: session });
    server.reply('auth.me', { data: user });
    const auth = tab(server, keys);

    await auth.signIn(credentials);
    await appClient(auth).auth.me.query();

    expect(server.proofsFor('auth.login')).toEqual([
      { path: 'auth.login', jkt: key.jkt, claims: expect.objectContaining({ htm: 'POST' }) },
    ]);
    expect(server.proofsFor('auth.login')[0]?.claims).not.toHaveProperty('ath');
    const [me] = server.requests.filter((r) => r.path === 'auth.me');
    expect(me?.authorization).toBe(`DPoP ${session.accessToken}`);
    expect(server.proofsFor('auth.me')).toEqual([
      {
        path: 'auth.me',
        jkt: key.jkt,
        claims: expect.objectContaining({
          htm: 'GET',
          htu: 'https://app.example/trpc/auth.me',
          ath: sha256url(session.accessToken),
        }),
      },
    ]);
    // What the app's terminating link gets from `headers()` stays Bearer; the fetch rewrites it.
    expect(auth.headers()).toEqual({ authorization: `Bearer ${session.accessToken}` });
  });

  it('on DPOP_PROOF_INVALID, refreshes with the key stored now and retries with the session bound to it', async () => {
    const keys = memoryDeviceKeys();
    const first = await keys.loadOrCreate();
    const server = dpopServer();
    server.reply('auth.login', { data: bound(first.jkt, 'first') });
    const auth = tab(server, keys);
    await auth.signIn(credentials);
    // Another tab signed out and in again, with a new key, and its message never came.
    const replaced = await keys.replace();
    const renewed = bound(replaced.jkt, 'renewed', 'session-2');
    server.reply('auth.refresh', { data: renewed });
    const invalid: Reply = { code: 'UNAUTHORIZED', status: 401, reason: 'DPOP_PROOF_INVALID' };
    server.reply('auth.me', invalid, { data: user });

    await expect(appClient(auth).auth.me.query()).resolves.toEqual(user);

    expect(server.proofsFor('auth.refresh').map((p) => p.jkt)).toEqual([replaced.jkt]);
    expect(server.proofsFor('auth.me').map((p) => p.jkt)).toEqual([first.jkt, replaced.jkt]);
    expect(server.requests.filter((r) => r.path === 'auth.me').at(-1)?.authorization).toBe(
      `DPoP ${renewed.accessToken}`,
    );
  });

  it('reports DPOP_PROOF_MISSING and DPOP_NONCE_REQUIRED without refreshing or signing out', async () => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const server = dpopServer();
    server.reply('auth.login', { data: bound(key.jkt, 'bound') });
    const auth = tab(server, keys);
    await auth.signIn(credentials);
    server.reply(
      'auth.me',
      { code: 'UNAUTHORIZED', status: 401, reason: 'DPOP_PROOF_MISSING' },
      { code: 'UNAUTHORIZED', status: 401, reason: 'DPOP_NONCE_REQUIRED' },
    );

    await expect(appClient(auth).auth.me.query()).rejects.toThrow();
    await expect(appClient(auth).auth.me.query()).rejects.toThrow();

    expect(server.count('auth.refresh')).toBe(0);
    expect(auth.getState().status).toBe('authenticated');
  });

  it('signing out discards the key, so the next sign-in makes a new one', async () => {
    const keys = memoryDeviceKeys();
    const server = dpopServer();
    const auth = tab(server, keys);
    server.reply('auth.login', { data: issue(Date.now(), 'unbound') });
    await auth.signIn(credentials);
    const first = keys.current();
    server.reply('auth.login', { data: bound(first?.jkt ?? '', 'first') });
    await auth.signIn(credentials);
    server.reply('auth.logout', { data: { success: true } });

    await expect(auth.signOut()).resolves.toEqual({ revoked: true });

    expect(keys.calls.discard).toBe(1);
    expect(keys.current()).toBeNull();
    // The logout itself went with the bound key, before it was discarded.
    expect(server.proofsFor('auth.logout').map((p) => p.jkt)).toEqual([first?.jkt]);
    await auth.signIn(credentials);
    const logins = server.proofsFor('auth.login').map((p) => p.jkt);
    expect(logins.at(-1)).not.toBe(first?.jkt);
    expect(logins.at(-1)).toBe(keys.current()?.jkt);
  });

  it('signing out everywhere discards the key too', async () => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const server = dpopServer();
    server.reply('auth.login', { data: bound(key.jkt, 'bound') });
    server.reply('auth.logoutAll', { data: { success: true } });
    const auth = tab(server, keys);
    await auth.signIn(credentials);

    await auth.signOutEverywhere();

    expect(keys.calls.discard).toBe(1);
    expect(server.requests.find((r) => r.path === 'auth.logoutAll')?.authorization).toMatch(/^DPoP /);
  });

  it("another tab's sign-out leaves the stored key to that tab", async () => {
    const keys = memoryDeviceKeys();
    const key = await keys.loadOrCreate();
    const server = dpopServer();
    server.reply('auth.login', { data: bound(key.jkt, 'bound') });
    server.reply('auth.logout', { data: { success: true } });
    const name = `tessera-dpop-test-${Math.random()}`;
    const locks = testLockManager();
    const [a, b] = [0, 1].map(() => {
      const auth = createAuthClient({
        url: '/trpc',
        fetch: server.fetch,
        tabs: createTabCoordinator({ name, locks, handoffMs: 0 }),
        dpop: keys,
      });
      clients.push(auth);
      return auth;
    });
    if (a === undefined || b === undefined) throw new Error('two tabs expected');
    await a.signIn(credentials);
    await vi.waitFor(() => expect(b.getState().status).toBe('authenticated'));

    await a.signOut();
    await vi.waitFor(() => expect(b.getState().status).toBe('anonymous'));

    expect(keys.calls.discard).toBe(1);
  });

  it('without a key store (Node has no IndexedDB), sends no proofs and says nothing', async () => {
    const info = vi.spyOn(console, 'info');
    const server = dpopServer();
    server.reply('auth.login', { data: issue(Date.now(), 'plain') });
    server.reply('auth.me', { data: user });
    const auth = tab(server, undefined);

    await auth.signIn(credentials);
    await appClient(auth).auth.me.query();

    expect(server.proofs.map((p) => p.jkt)).toEqual([null, null]);
    expect(server.requests.find((r) => r.path === 'auth.me')?.authorization).toMatch(/^Bearer /);
    expect(info).not.toHaveBeenCalled();
  });
});
