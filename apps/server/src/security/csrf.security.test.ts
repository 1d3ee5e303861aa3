/**
 * CSRF (OWASP CSRF cheat sheet): the procedures that sign in or read the refresh cookie refuse
 * what a hostile page can make a browser send, and a refused request consumes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from '../refresh-cookie';
import { callProcedure, registerUser, sharedTestServer } from '../testing';

const server = sharedTestServer();

let accounts = 0;
async function signedUp(): Promise<string> {
  accounts += 1;
  return (await registerUser(server().url, `csrf${accounts}@example.com`)).refreshToken;
}

const cookie = (token: string) => ({ cookie: `${REFRESH_COOKIE_NAME}=${token}` });
const credentials = { email: 'csrf-login@example.com', password: 'a strong password' };

describe('CSRF', () => {
  beforeAll(async () => {
    await callProcedure(server().url, 'auth.register', { input: credentials });
  });

  it.each(['auth.refresh', 'auth.login', 'auth.register'])(
    '%s refuses a foreign Origin with FORBIDDEN',
    async (path) => {
      for (const origin of [
        'https://evil.example',
        'null',
        `${server().publicOrigin}.evil.example`,
        'http://localhost:1',
      ]) {
        const answer = await callProcedure(server().url, path, {
          input: path === 'auth.refresh' ? undefined : { ...credentials, email: 'x@example.com' },
          headers: { origin, ...cookie('whatever') },
        });
        expect(answer.status).toBe(403);
        expect(answer.code).toBe('FORBIDDEN');
      }
    },
  );

  it.each(['auth.refresh', 'auth.login', 'auth.register'])(
    '%s refuses Sec-Fetch-Site: cross-site with FORBIDDEN, even with the right Origin',
    async (path) => {
      const answer = await callProcedure(server().url, path, {
        input: path === 'auth.refresh' ? undefined : credentials,
        headers: { origin: server().publicOrigin, 'sec-fetch-site': 'cross-site' },
      });
      expect(answer.status).toBe(403);
      expect(answer.code).toBe('FORBIDDEN');
    },
  );

  it.each([
    ['an HTML form post', 'application/x-www-form-urlencoded', 'a=1'],
    [
      'multipart',
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
    ],
    ['text/plain', 'text/plain', '{}'],
    ['no content type', '', '{}'],
  ])('the cookie-bearing refresh refuses %s: only application/json is accepted', async (_name, contentType, body) => {
    const token = await signedUp();
    const response = await fetch(`${server().url}/trpc/auth.refresh`, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...cookie(token) },
      body,
    });
    expect(response.status).toBe(415);
    expect(response.headers.getSetCookie()).toEqual([]);
    // Nothing was consumed: the same token still works from the right place.
    const retried = await callProcedure(server().url, 'auth.refresh', { headers: cookie(token) });
    expect(retried.status).toBe(200);
  });

  it('a refused cross-site refresh consumes nothing: the same token then works from the right origin', async () => {
    const token = await signedUp();
    const refused = await callProcedure(server().url, 'auth.refresh', {
      headers: { origin: 'https://evil.example', ...cookie(token) },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
    const accepted = await callProcedure(server().url, 'auth.refresh', {
      headers: { origin: server().publicOrigin, 'sec-fetch-site': 'same-origin', ...cookie(token) },
    });
    expect(accepted.status).toBe(200);
  });

  it('allows a request with neither Origin nor Sec-Fetch-Site (a non-browser client)', async () => {
    const token = await signedUp();
    const answer = await callProcedure(server().url, 'auth.refresh', { headers: cookie(token) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('runs mutations only by POST', async () => {
    const token = await signedUp();
    for (const path of ['auth.refresh', 'auth.login', 'auth.register', 'auth.logout', 'auth.logoutAll']) {
      const answer = await callProcedure(server().url, path, { method: 'GET', headers: cookie(token) });
      expect(answer.status).toBe(405);
      expect(answer.code).toBe('METHOD_NOT_SUPPORTED');
    }
  });

  it('never reflects Access-Control-Allow-Origin to a foreign origin', async () => {
    const evil = { origin: 'https://evil.example' };
    const preflight = await fetch(`${server().url}/trpc/auth.refresh`, {
      method: 'OPTIONS',
      headers: { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const answers = [
      preflight,
      await fetch(`${server().url}/trpc/auth.me`, { headers: evil }),
      await fetch(`${server().url}/.well-known/jwks.json`, { headers: evil }),
      await fetch(`${server().url}/healthz`, { headers: evil }),
    ];
    for (const response of answers) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
