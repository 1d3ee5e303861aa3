import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callProcedure, refreshTokenFrom, startTestServer, type TestServer } from './testing';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.dispose();
});

const email = 'changer@example.com';
const oldPassword = 'the old password';
const newPassword = 'a brand new password';

async function signIn(path: 'auth.register' | 'auth.login', password = oldPassword) {
  const answer = await callProcedure(server.url, path, { input: { email, password } });
  const data = (answer.body as { result?: { data: { accessToken: string } } }).result?.data;
  return {
    status: answer.status,
    accessToken: data?.accessToken ?? '',
    refreshToken: refreshTokenFrom(answer.headers) ?? '',
  };
}
const change = (accessToken: string, input: unknown) =>
  callProcedure(server.url, 'auth.changePassword', { input, headers: { authorization: `Bearer ${accessToken}` } });
const refresh = (token: string) =>
  callProcedure(server.url, 'auth.refresh', { headers: { cookie: `__Secure-tessera_refresh=${token}` } });

describe('auth.changePassword', () => {
  it('replaces the password, ends every other session, and returns a fresh session with a new cookie', async () => {
    const laptop = await signIn('auth.register');
    const phone = await signIn('auth.login');

    const changed = await change(laptop.accessToken, { currentPassword: oldPassword, newPassword });
    expect(changed.status).toBe(200);
    const session = (changed.body as { result: { data: { accessToken: string; user: { email: string } } } }).result
      .data;
    expect(session.user.email).toBe(email);
    const newCookie = refreshTokenFrom(changed.headers);
    expect(newCookie).toMatch(/^[\w-]{43}$/);

    expect((await refresh(phone.refreshToken)).status).toBe(401);
    expect((await refresh(laptop.refreshToken)).status).toBe(401);
    expect((await refresh(newCookie ?? '')).status).toBe(200);
    expect((await signIn('auth.login', oldPassword)).status).toBe(401);
    expect((await signIn('auth.login', newPassword)).status).toBe(200);
  });

  it('refuses a wrong current password with UNAUTHORIZED and changes nothing', async () => {
    const laptop = await signIn('auth.register');
    const answer = await change(laptop.accessToken, { currentPassword: 'not my password', newPassword });
    expect(answer.status).toBe(401);
    expect(answer.message).toBe('Your current password is incorrect.');
    expect((await refresh(laptop.refreshToken)).status).toBe(200);
    expect((await signIn('auth.login', oldPassword)).status).toBe(200);
  });

  it('validates the new password and requires an access token', async () => {
    const laptop = await signIn('auth.register');
    const short = await change(laptop.accessToken, { currentPassword: oldPassword, newPassword: 'short' });
    expect(short.code).toBe('BAD_REQUEST');
    // A sentence for the page, and the field it is about for the form.
    expect(short.message).toMatch(/^Password must be at least 8 characters\.$/);
    expect(short.body).toMatchObject({ error: { data: { fieldErrors: [{ field: 'newPassword' }] } } });
    expect((await change('', { currentPassword: oldPassword, newPassword })).code).toBe('UNAUTHORIZED');
  });
});
