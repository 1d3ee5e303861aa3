import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE } from './start-server';
import { buildTestApp, startTestServer, type TestServer } from './testing';

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
    // What the web build writes beside each asset (apps/web/precompress.ts).
    writeFileSync(join(webRoot, 'assets', 'app-1234.js.br'), brotliCompressSync('console.log(1)'));
    writeFileSync(join(webRoot, 'assets', 'app-1234.js.gz'), gzipSync('console.log(1)'));
    server = await startTestServer({ webRoot });
  });
  afterAll(async () => {
    await server.dispose();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { database: 'ok', revocations: 'ok' } });
  });

  it('answers ping to anyone, with no credential', async () => {
    const response = await fetch(`${server.url}/trpc/ping`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { data: { ok: true } } });
    expect(response.headers.get('cache-control')).toBe('no-store');
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

  /** @see issue 10, point 7: 430 KB of JavaScript went out uncompressed. */
  it('sends the precompressed copy a browser accepts, and the plain file to one that accepts none', async () => {
    const asset = `${server.url}/assets/app-1234.js`;
    for (const [accepted, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      // fetch decodes the body itself; the header says what went over the wire.
      const response = await fetch(asset, { headers: { 'accept-encoding': accepted } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBe(encoding);
      expect(response.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
      expect(response.headers.get('content-type')).toContain('javascript');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await response.text()).toBe('console.log(1)');
    }
  });

  it('serves the SPA: index.html for client routes, never cached, and long-cached assets', async () => {
    const page = await fetch(`${server.url}/sign-in`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Tessera</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('tags every response with a request id of its own making', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'forged' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** @see issue 10, point 8 */
describe('request logs', () => {
  it('write one line per request, when it is answered, with method, path, status and time', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { app, dispose } = await buildTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    try {
      await app.inject({ method: 'GET', url: '/healthz?probe=1' });
      const about = lines.filter((line) => JSON.stringify(line).includes('/healthz'));
      expect(about).toHaveLength(1);
      expect(about[0]).toMatchObject({
        level: 30,
        msg: 'request',
        req: { method: 'GET', url: '/healthz' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
    } finally {
      await dispose();
    }
  });
});

describe('when the database fails', () => {
  it('reports unhealthy on /healthz', async () => {
    const { app, db, dispose } = await buildTestApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      db.close();
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toEqual({ status: 'unavailable', checks: { database: 'unavailable', revocations: 'ok' } });
    } finally {
      await dispose();
    }
  });

  /** @see issue 10, point 2: a database that read but refused writes was "healthy". */
  it('reports a database that answers reads but refuses writes as read-only, and unhealthy', async () => {
    // In memory, the write probe runs on the test's connection, which the test can make read-only.
    const { app, db, dispose } = await buildTestApp({ inMemory: true });
    try {
      // SQLite's own switch for a connection that may not write: every write is SQLITE_READONLY.
      db.db.$client.pragma('query_only = ON');
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toEqual({ status: 'unavailable', checks: { database: 'read-only', revocations: 'ok' } });
      db.db.$client.pragma('query_only = OFF');
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await dispose();
    }
  });
});

/** @see issue 20, finding 12: 2,000 connections dribbling a body were all still open after 200 s. */
describe('slow clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { REQUEST_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    await server.dispose();
  });

  it.each([
    [
      'a body dribbled byte by byte',
      'POST /trpc/auth.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    ],
    ['headers dribbled byte by byte', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '],
  ])('cuts off %s once REQUEST_TIMEOUT_MS has passed, answering 408', async (_, head) => {
    const connection = await rawConnection(server.url, head, { drip: true });
    expect(connection.answer).toMatch(/^HTTP\/1\.1 408 /);
    // Not refused at once: cut off by the limit, within a check interval of it.
    expect(connection.openMs).toBeGreaterThanOrEqual(900);
  });

  it('answers a request that arrives whole, then closes the connection once idle for KEEP_ALIVE_TIMEOUT_MS', async () => {
    const connection = await rawConnection(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(connection.answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(connection.answer).toContain('keep-alive');
    expect(connection.idleMs).toBeGreaterThanOrEqual(900);
  });
});

/**
 * Opens a raw TCP connection and sends `head`; with `drip`, one more byte every 100 ms, as a slow
 * client does. Resolves when the server closes the connection, with what it answered, how long
 * the connection was open and how long it was idle after the first answer; rejects if it is still
 * open after `limitMs`.
 */
function rawConnection(
  url: string,
  head: string,
  { drip = false, limitMs = 15_000 } = {},
): Promise<{ answer: string; openMs: number; idleMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answeredAt = started;
    let answer = '';
    let dripping: NodeJS.Timeout | undefined;
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      if (drip) dripping = setInterval(() => socket.write('a'), 100);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (!answer) answeredAt = Date.now();
      answer += chunk;
    });
    // A drip may hit the connection the server just closed (EPIPE); 'close' follows either way.
    socket.on('error', () => undefined);
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server left the connection open for ${limitMs} ms; answered: ${answer}`));
    }, limitMs);
    socket.once('close', () => {
      clearInterval(dripping);
      clearTimeout(deadline);
      const closedAt = Date.now();
      resolve({ answer, openMs: closedAt - started, idleMs: closedAt - answeredAt });
    });
  });
}
