/**
 * Input validation (OWASP Input Validation): every input is checked by zod, the field is named,
 * and nothing hostile reaches the database or produces a 500 or SQL text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../server';
import { callProcedure, registerUser, startTestServer, type TestServer } from '../testing';

let server: TestServer;
let accessToken: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ accessToken } = await registerUser(server.url, 'input@example.com'));
});
afterAll(async () => {
  await server.dispose();
});

const register = (input: unknown) => callProcedure(server.url, 'auth.register', { input });
const fieldsOf = (body: unknown) =>
  ((body as { error: { data: { fieldErrors?: { field: string | null }[] } } }).error.data.fieldErrors ?? []).map(
    (f) => f.field,
  );

describe('input validation', () => {
  it('names the offending field in a BAD_REQUEST', async () => {
    const answer = await register({ email: 'not an email', password: 'short' });
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('BAD_REQUEST');
    expect(fieldsOf(answer.body)).toEqual(expect.arrayContaining(['email', 'password']));
    expect(answer.message).toBe('Enter a valid email address. Password must be at least 8 characters.');
  });

  it('trims, NFKC-normalises and lower-cases emails: Alice@Example.com and ａlice@example.com are one account', async () => {
    const first = await register({ email: ' Alice@Example.com ', password: 'a strong password' });
    expect((first.body as { result: { data: { user: { email: string } } } }).result.data.user.email).toBe(
      'alice@example.com',
    );
    expect((await register({ email: 'ａlice@example.com', password: 'a strong password' })).code).toBe('CONFLICT');
    const login = await callProcedure(server.url, 'auth.login', {
      input: { email: 'ＡＬＩＣＥ@example.com', password: 'a strong password' },
    });
    expect(login.status).toBe(200);
  });

  it('refuses emails over 254 characters', async () => {
    const answer = await register({ email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com`, password: 'a strong password' });
    expect(answer.code).toBe('BAD_REQUEST');
    expect(fieldsOf(answer.body)).toContain('email');
  });

  it('takes passwords of 8 to 128 characters exactly as typed: never truncated or case-folded', async () => {
    expect((await register({ email: 'seven@example.com', password: '1234567' })).code).toBe('BAD_REQUEST');
    const long = 'P'.repeat(128);
    expect((await register({ email: 'long@example.com', password: long })).status).toBe(200);
    const login = (password: string) =>
      callProcedure(server.url, 'auth.login', { input: { email: 'long@example.com', password } });
    expect((await login(long)).status).toBe(200);
    expect((await login('P'.repeat(127))).status).toBe(401);
    expect((await login('p'.repeat(128))).status).toBe(401);
  });

  it('refuses a password over 128 characters before hashing it', async () => {
    const answer = await register({ email: 'huge@example.com', password: 'x'.repeat(129) });
    expect(answer.code).toBe('BAD_REQUEST');
    expect(fieldsOf(answer.body)).toContain('password');
  });

  it('refuses bodies over 64 KiB with PAYLOAD_TOO_LARGE', async () => {
    const answer = await callProcedure(server.url, 'auth.login', {
      body: JSON.stringify({ email: 'a@example.com', password: 'p'.repeat(BODY_LIMIT_BYTES) }),
    });
    expect(answer.status).toBe(413);
    expect(answer.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['SQL in the email', { email: "' OR 1=1 --@example.com", password: 'a strong password' }],
    ['a NUL byte', { email: 'nul\u0000@example.com', password: 'a strong password' }],
    ['a NUL byte in the password', { email: 'nul@example.com', password: 'pass\u0000word!' }],
    ['a number', { email: 42, password: 'a strong password' }],
    ['an object', { email: { $gt: '' }, password: 'a strong password' }],
    ['an array', { email: ['a@example.com'], password: 'a strong password' }],
    ['null', null],
    ['an extra key', { email: 'extra@example.com', password: 'a strong password', isAdmin: true }],
    [
      'a prototype key',
      JSON.parse('{"email":"p@example.com","password":"a strong password","__proto__":{"admin":true}}'),
    ],
  ])('refuses %s with BAD_REQUEST, never a 500 or SQL text', async (_name, input) => {
    for (const path of ['auth.register', 'auth.login']) {
      const answer = await callProcedure(server.url, path, { input });
      if (answer.status === 401) continue; // a well-formed login of an unknown user: refused as a credential
      expect(answer.status).toBe(400);
      expect(answer.code).toBe('BAD_REQUEST');
      expect(answer.text).not.toMatch(/SQLITE|syntax error|select |insert into/i);
    }
  });

  it('refuses malformed JSON with BAD_REQUEST', async () => {
    const answer = await callProcedure(server.url, 'auth.login', { body: '{"email": ' });
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('BAD_REQUEST');
  });

  it('treats an injection-shaped password as plain data', async () => {
    const password = '\'; DROP TABLE users; -- " OR "1"="1';
    expect((await register({ email: 'bobby@example.com', password })).status).toBe(200);
    const login = await callProcedure(server.url, 'auth.login', { input: { email: 'bobby@example.com', password } });
    expect(login.status).toBe(200);
  });

  it('validates protected inputs too', async () => {
    const answer = await callProcedure(server.url, 'auth.sessions.revoke', {
      input: { id: "1' OR '1'='1" },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(answer.code).toBe('BAD_REQUEST');
    expect(fieldsOf(answer.body)).toContain('id');
  });
});
