/**
 * Property-based fuzzing of every procedure's input with fast-check: thousands of generated
 * inputs over HTTP, and not one 5xx, stack trace or SQL text.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, registerUser, startTestServer, type TestServer, type TrpcAnswer } from '../testing';

let server: TestServer;
let accessToken: string;
beforeAll(async () => {
  // A fresh client address per request (trusted proxy header), so the per-address limit does not
  // turn most generated inputs into 429s before they reach validation.
  server = await startTestServer({ env: { TRUST_PROXY: '1' } });
  ({ accessToken } = await registerUser(server.url, 'fuzz@example.com'));
});
afterAll(async () => {
  await server.dispose();
});

const RUNS = 300;

/** Plausible and hostile values for every field our procedures take. */
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.emailAddress(),
  fc.string({ minLength: 0, maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.uuid(),
  fc.constantFrom("' OR 1=1 --", '\u0000', '__proto__', 'constructor', '<script>alert(1)</script>', 'ａ@ｅ.com'),
);
const procedureInput = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      email: fieldValue,
      password: fieldValue,
      name: fieldValue,
      id: fieldValue,
      currentPassword: fieldValue,
      newPassword: fieldValue,
    },
    { requiredKeys: [] },
  ),
);
const clientAddress = fc.ipV4();

function expectNoServerError(answer: TrpcAnswer): void {
  if (answer.status >= 500) throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  expect(answer.text).not.toMatch(/SQLITE|no such table|syntax error|\n\s+at /);
}

const mutations = [
  'auth.register',
  'auth.login',
  'auth.refresh',
  'auth.logout',
  'auth.logoutAll',
  'auth.sessions.revoke',
  'auth.changePassword',
];

const queries = ['auth.me', 'auth.sessions.list'];

describe('fuzzing every procedure', () => {
  it.each(mutations)('%s: generated JSON inputs never produce a 5xx', async (path) => {
    await fc.assert(
      fc.asyncProperty(procedureInput, clientAddress, fc.boolean(), async (input, ip, signedIn) => {
        const headers: Record<string, string> = { 'x-forwarded-for': ip };
        if (signedIn) headers.authorization = `Bearer ${accessToken}`;
        // Logging out would revoke the token the other runs use.
        if (path === 'auth.logout' || path === 'auth.logoutAll') delete headers.authorization;
        expectNoServerError(await callProcedure(server.url, path, { input, headers }));
      }),
      { numRuns: RUNS },
    );
  });

  it.each(queries)('%s: generated query inputs never produce a 5xx', async (path) => {
    await fc.assert(
      fc.asyncProperty(procedureInput, fc.boolean(), async (input, signedIn) => {
        const headers: Record<string, string> = signedIn ? { authorization: `Bearer ${accessToken}` } : {};
        expectNoServerError(await callProcedure(server.url, path, { method: 'GET', input, headers }));
      }),
      { numRuns: RUNS },
    );
  });

  it('raw request bodies and content types never produce a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mutations),
        fc.string({ unit: 'binary', maxLength: 500 }),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
        ),
        clientAddress,
        async (path, body, contentType, ip) => {
          const response = await fetch(`${server.url}/trpc/${path}`, {
            method: 'POST',
            headers: { 'content-type': contentType, 'x-forwarded-for': ip },
            body,
          });
          const text = await response.text();
          if (response.status >= 500) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('generated Authorization headers never produce a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 500 }).map((s) => `Bearer ${s}`),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => `Bearer ${parts.join('.')}`),
          fc.string({ maxLength: 200 }),
        ),
        async (authorization) => {
          const safe = authorization.replace(/[^\t\x20-\x7e]/g, '');
          expectNoServerError(
            await callProcedure(server.url, 'auth.me', { method: 'GET', headers: { authorization: safe } }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
