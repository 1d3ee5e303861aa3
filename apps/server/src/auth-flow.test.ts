import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { createTestClient, signedInOnly, testServers } from './testing';

const servers = testServers();

/** The tRPC error code a call failed with. */
async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error.data?.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const credentials = { email: 'ada@example.com', password: 'correct horse battery' };

describe('the sign-in loop over HTTP', () => {
  it('register → me → refresh rotates the cookie (the old one then fails) → logout → refresh fails', async () => {
    const server = await servers.start({ REFRESH_REUSE_GRACE: '0' });
    const { client, jar, setAccessToken } = createTestClient(server.url);

    const registered = await client.auth.register.mutate({ ...credentials, name: 'Ada' });
    expect(registered.user).toEqual({
      id: expect.any(String),
      email: credentials.email,
      name: 'Ada',
      role: 'user',
      emailVerified: false,
      twoFactorEnabled: false,
    });
    expect(registered.expiresAt).toBeGreaterThan(Date.now());
    expect(JSON.stringify(registered)).not.toContain(jar.get(REFRESH_COOKIE_NAME));
    const firstCookie = jar.get(REFRESH_COOKIE_NAME);
    expect(firstCookie).toMatch(/^[\w-]{43}$/);

    setAccessToken(registered.accessToken);
    expect(await client.auth.me.query()).toEqual(registered.user);

    const refreshed = await client.auth.refresh.mutate();
    expect(refreshed.user).toEqual(registered.user);
    const secondCookie = jar.get(REFRESH_COOKIE_NAME);
    expect(secondCookie).toMatch(/^[\w-]{43}$/);
    expect(secondCookie).not.toBe(firstCookie);

    const replay = createTestClient(server.url);
    replay.jar.set(REFRESH_COOKIE_NAME, firstCookie ?? '', '/trpc/auth.refresh');
    expect(await errorCode(replay.client.auth.refresh.mutate())).toBe('UNAUTHORIZED');

    const { client: other, setAccessToken: setOther } = createTestClient(server.url);
    const signedIn = signedInOnly(await other.auth.login.mutate(credentials));
    setOther(signedIn.accessToken);
    expect(await other.auth.logout.mutate()).toEqual({ ok: true });
    expect(await errorCode(other.auth.refresh.mutate())).toBe('UNAUTHORIZED');
  });

  it('sets the refresh cookie with exactly the contract’s attributes, and clears it on logout', async () => {
    const server = await servers.start();
    const response = await fetch(`${server.url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    expect(response.status).toBe(200);
    const [cookie, flag, ...others] = response.headers.getSetCookie();
    expect(flag).toMatch(/^tessera_signed_in=1;/);
    expect(others).toEqual([]);
    const attributes = cookie?.split(';').map((part) => part.trim().toLowerCase()) ?? [];
    expect(cookie).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=[\\w-]{43};`));
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'secure', 'samesite=strict', 'path=/trpc/auth.refresh']),
    );
    const expires = Date.parse(attributes.find((a) => a.startsWith('expires='))?.slice(8) ?? '');
    expect(expires - Date.now()).toBeGreaterThan(604_800_000 - 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(604_800_000);

    const { result } = (await response.json()) as { result: { data: { accessToken: string } } };
    const logout = await fetch(`${server.url}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${result.data.accessToken}` },
    });
    expect(logout.status).toBe(200);
    const [clearedCookie, clearedFlag] = logout.headers.getSetCookie();
    expect(clearedCookie).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=;.*Path=/trpc/auth.refresh`));
    expect(clearedFlag).toMatch(
      /^tessera_signed_in=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Strict$/,
    );
  });

  /** @see issue 10, point 15: the SPA's hint that a reload has a session to restore. */
  it('sets a script-readable flag beside the refresh cookie, with its lifetime and no secret', async () => {
    const server = await servers.start();
    const response = await fetch(`${server.url}/trpc/auth.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    const [cookie = '', flag = ''] = response.headers.getSetCookie();
    const expiresOf = (line: string) => /Expires=([^;]+)/.exec(line)?.[1];
    expect(flag).toBe(`tessera_signed_in=1; Path=/; Expires=${expiresOf(cookie)}; Secure; SameSite=Strict`);
    expect(flag.toLowerCase()).not.toContain('httponly');

    // Without the refresh cookie, the flag alone restores nothing.
    const refresh = await fetch(`${server.url}/trpc/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'tessera_signed_in=1' },
    });
    expect(refresh.status).toBe(401);
    expect(((await refresh.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe(
      'REFRESH_TOKEN_MISSING',
    );
  });

  it('keeps the refresh token and an earlier access token valid across a restart on the same database', async () => {
    const first = await servers.start();
    const { client, jar } = createTestClient(first.url);
    const session = await client.auth.register.mutate(credentials);

    const second = await first.restart();
    const after = createTestClient(second.url, jar);
    after.setAccessToken(session.accessToken);
    expect(await after.client.auth.me.query()).toEqual(session.user);
    const refreshed = await after.client.auth.refresh.mutate();
    expect(refreshed.user).toEqual(session.user);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const server = await servers.start();
    await createTestClient(server.url).client.auth.register.mutate(credentials);
    const attempt = async (body: unknown) => {
      const response = await fetch(`${server.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const headers = Object.fromEntries(
        [...response.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)),
      );
      return { status: response.status, headers, body: await response.text() };
    };
    const unknownEmail = await attempt({ email: 'nobody@example.com', password: credentials.password });
    const wrongPassword = await attempt({ email: credentials.email, password: 'wrong password!' });
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword).toEqual(unknownEmail);
    expect(JSON.parse(unknownEmail.body).error.data.code).toBe('UNAUTHORIZED');
  });

  it('normalises emails, so one address is one account, and refuses a second registration', async () => {
    const server = await servers.start();
    const { client } = createTestClient(server.url);
    const session = await client.auth.register.mutate({
      email: '  Alice@Example.com ',
      password: credentials.password,
    });
    expect(session.user.email).toBe('alice@example.com');
    expect(
      await errorCode(client.auth.register.mutate({ email: 'ａlice@example.com', password: 'another password' })),
    ).toBe('CONFLICT');
    const login = signedInOnly(
      await client.auth.login.mutate({ email: 'ALICE@example.com', password: credentials.password }),
    );
    expect(login.user.id).toBe(session.user.id);
  });

  it('requires an access token for protected procedures', async () => {
    const server = await servers.start();
    const { client, setAccessToken } = createTestClient(server.url);
    expect(await errorCode(client.auth.me.query())).toBe('UNAUTHORIZED');
    setAccessToken('not-a-token');
    expect(await errorCode(client.auth.me.query())).toBe('UNAUTHORIZED');
  });

  it('names the offending field for invalid input', async () => {
    const server = await servers.start();
    const { client } = createTestClient(server.url);
    try {
      await client.auth.register.mutate({ email: 'not-an-email', password: 'short' });
      expect.unreachable();
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      expect(error.data?.code).toBe('BAD_REQUEST');
      // Each field's own sentence (issue 26: not "Invalid input. email: …; password: …").
      expect(error.message).toBe('Enter a valid email address. Password must be at least 8 characters.');
      expect(error.data?.fieldErrors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'email' }),
          expect.objectContaining({ field: 'password' }),
        ]),
      );
    }
  });
});
