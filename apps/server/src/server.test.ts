import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth, defaultAuthConfig } from '@tessera/auth';
import { createDb } from '@tessera/db';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from './env';
import { BODY_LIMIT_BYTES, buildServer } from './server';
import { ACCESS_TOKEN_AUDIENCE } from './start-server';
import { startTestServer, type TestServer } from './testing';

const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', headers, body });

describe('server endpoints', () => {
  let server: TestServer;
  let webRoot: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'tessera-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Tessera</title>');
    writeFileSync(join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
    server = await startTestServer({ webRoot });
  });
  afterAll(async () => {
    await server.dispose();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('publishes the public keys that verify its access tokens, and nothing private', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const registered = await post(
      `${server.url}/trpc/auth.register`,
      JSON.stringify({ email: 'k@example.com', password: 'password123' }),
    );
    const { result } = (await registered.json()) as { result: { data: { accessToken: string } } };
    const { payload, protectedHeader } = await jwtVerify(result.data.accessToken, createLocalJWKSet(jwks as never), {
      issuer: server.publicOrigin,
      audience: ACCESS_TOKEN_AUDIENCE,
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.exp).toBe((payload.iat ?? 0) + 300);
  });

  it('serves the SPA with a strict CSP, index.html for client routes, and long-cached assets', async () => {
    const page = await fetch(`${server.url}/sign-in`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Tessera</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toBeNull();

    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it.each([
    ['a form post', 'application/x-www-form-urlencoded', 'email=a%40b.c&password=12345678'],
    [
      'multipart',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--x--',
    ],
    ['text/plain', 'text/plain', '{"email":"a@b.c","password":"12345678"}'],
  ])('refuses %s to a procedure with UNSUPPORTED_MEDIA_TYPE', async (_name, contentType, body) => {
    const response = await post(`${server.url}/trpc/auth.register`, body, { 'content-type': contentType });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(BODY_LIMIT_BYTES) });
    const response = await post(`${server.url}/trpc/auth.login`, body);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('runs mutations only by POST', async () => {
    const response = await fetch(`${server.url}/trpc/auth.logout`);
    expect(response.status).toBe(405);
  });

  it('tags every response with a request id of its own making', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'forged' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('when the database fails', () => {
  it('reports unhealthy, and answers a generic error with a request id but no SQL text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-fail-'));
    const db = createDb(join(dir, 'tessera.db'));
    const env = loadEnv({ LOG_LEVEL: 'silent' });
    const auth = await createAuth({
      db: db.db,
      config: { issuer: env.PUBLIC_ORIGIN, audience: 'tessera', ...defaultAuthConfig },
    });
    const app = await buildServer({ env, db, auth, webRoot: null });
    try {
      db.db.$client.exec('DROP TABLE refresh_tokens');
      const login = await app.inject({
        method: 'POST',
        url: '/trpc/auth.register',
        headers: { 'content-type': 'application/json' },
        payload: { email: 'z@example.com', password: 'password123' },
      });
      expect(login.statusCode).toBe(500);
      const body = login.json() as { error: { message: string; data: { code: string; requestId: string } } };
      expect(body.error.data.code).toBe('INTERNAL_SERVER_ERROR');
      expect(body.error.message).toBe('Something went wrong on our side.');
      expect(body.error.data.requestId).toBe(login.headers['x-request-id']);
      expect(login.body).not.toMatch(/refresh_tokens|SQLITE|stack|at /i);

      db.close();
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
