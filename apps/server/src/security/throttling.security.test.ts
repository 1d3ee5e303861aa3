/**
 * Brute-force limits (OWASP Authentication cheat sheet), stored in the database: 10 failed
 * sign-ins per account and 100 sign-in or register attempts per client address, per 15 minutes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callProcedure, startTestServer, type TestServer, toAnswer } from '../testing';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});
async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer({ env });
  servers.push(server);
  return server;
}

const password = 'a strong password';
const login = (server: TestServer, email: string, pass = password, headers: Record<string, string> = {}) =>
  callProcedure(server.url, 'auth.login', { input: { email, password: pass }, headers });

function expectThrottled(answer: { status: number; code: string | null; headers: Headers }): void {
  expect(answer.status).toBe(429);
  expect(answer.code).toBe('TOO_MANY_REQUESTS');
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
}

describe('throttling', () => {
  it('allows 10 failed sign-ins per account per 15 minutes, then TOO_MANY_REQUESTS with Retry-After, even for the right password', async () => {
    const server = await start();
    await callProcedure(server.url, 'auth.register', { input: { email: 'victim@example.com', password } });
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await login(server, 'victim@example.com', 'wrong password')).status).toBe(401);
    }
    expectThrottled(await login(server, 'victim@example.com', 'wrong password'));
    expectThrottled(await login(server, 'victim@example.com'));
    // Another account from the same address is not locked.
    expect((await login(server, 'someone-else@example.com', 'wrong password')).status).toBe(401);
  });

  it('keeps its counters in the database: a restart does not reset them', async () => {
    const first = await start();
    for (let attempt = 0; attempt < 10; attempt++) await login(first, 'restart@example.com', 'wrong password');
    expectThrottled(await login(first, 'restart@example.com'));
    const second = await first.restart();
    servers.push(second);
    expectThrottled(await login(second, 'restart@example.com'));
  });

  it('clears an account’s failures after a successful sign-in', async () => {
    const server = await start();
    await callProcedure(server.url, 'auth.register', { input: { email: 'forgetful@example.com', password } });
    for (let attempt = 0; attempt < 9; attempt++) await login(server, 'forgetful@example.com', 'wrong password');
    expect((await login(server, 'forgetful@example.com')).status).toBe(200);
    for (let attempt = 0; attempt < 9; attempt++) {
      expect((await login(server, 'forgetful@example.com', 'wrong password')).status).toBe(401);
    }
  });

  it('allows 100 sign-in or register attempts per client address, then TOO_MANY_REQUESTS, and ignores X-Forwarded-For by default', async () => {
    const server = await start();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0
          ? login(server, `spray${i}@example.com`)
          : callProcedure(server.url, 'auth.register', { input: { email: `new${i}@example.com`, password } }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 429)).toEqual([]);
    expectThrottled(await login(server, 'one-more@example.com'));
    expectThrottled(
      await callProcedure(server.url, 'auth.register', { input: { email: 'late@example.com', password } }),
    );
    // A forged X-Forwarded-For does not buy a fresh budget.
    expectThrottled(await login(server, 'one-more@example.com', password, { 'x-forwarded-for': '203.0.113.7' }));
  });

  it('counts the X-Forwarded-For address when TRUST_PROXY is set', async () => {
    const server = await start({ TRUST_PROXY: 'true' });
    const behindProxy = (ip: string, i: number) =>
      login(server, `proxied${i}@example.com`, password, { 'x-forwarded-for': ip });
    await Promise.all(Array.from({ length: 100 }, (_, i) => behindProxy('203.0.113.1', i)));
    expectThrottled(await behindProxy('203.0.113.1', 100));
    expect((await behindProxy('203.0.113.2', 101)).status).toBe(401);
  });

  it('counts every operation of a batched request', async () => {
    const server = await start();
    await callProcedure(server.url, 'auth.register', { input: { email: 'batched@example.com', password } });
    const ops = Array.from({ length: 10 }, () => 'auth.login').join(',');
    const body = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [i, { email: 'batched@example.com', password: 'wrong password' }]),
    );
    const batch = await toAnswer(
      await fetch(`${server.url}/trpc/${ops}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    expect((batch.body as unknown[]).length).toBe(10);
    expectThrottled(await login(server, 'batched@example.com'));
  });

  it('caps batches: more than 10 operations in one request are refused', async () => {
    const server = await start();
    const ops = Array.from({ length: 11 }, () => 'auth.me').join(',');
    const answer = await toAnswer(await fetch(`${server.url}/trpc/${ops}?batch=1&input={}`));
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/stack|at /);
  });

  it('throttles registering a taken email, which is CONFLICT until then', async () => {
    const server = await start();
    const register = () =>
      callProcedure(server.url, 'auth.register', { input: { email: 'taken@example.com', password } });
    expect((await register()).status).toBe(200);
    const repeats = await Promise.all(Array.from({ length: 99 }, register));
    expect(new Set(repeats.map((answer) => answer.code))).toEqual(new Set(['CONFLICT']));
    expectThrottled(await register());
  });
});
