import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestClient, signedInOnly, startTestServer, type TestServer } from './testing';

let server: TestServer;
let accountExists = false;
beforeEach(async () => {
  server = await startTestServer();
  accountExists = false;
});
afterEach(async () => {
  await server.dispose();
});

const credentials = { email: 'multi@example.com', password: 'a strong password' };

/** Signs in as a distinct device (a cookie jar of its own); the first one creates the account. */
async function device() {
  const { client, setAccessToken } = createTestClient(server.url);
  const session = accountExists
    ? signedInOnly(await client.auth.login.mutate(credentials))
    : await client.auth.register.mutate(credentials);
  accountExists = true;
  setAccessToken(session.accessToken);
  return { client, session };
}

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  return call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCClientError ? error.data?.code : 'NOT_A_TRPC_ERROR'),
  );
}

describe('sessions a user can see and revoke', () => {
  it('lists each sign-in once, marks the current one, and revokes another device', async () => {
    const laptop = await device();
    const phone = await device();

    const listed = await laptop.client.auth.sessions.list.query();
    expect(listed).toHaveLength(2);
    expect(listed.filter((s) => s.current)).toHaveLength(1);
    const phoneSession = listed.find((s) => !s.current);
    expect(phoneSession).toMatchObject({ id: expect.any(String), createdAt: expect.any(Number), userAgent: 'node' });
    if (!phoneSession) return;

    expect(await laptop.client.auth.sessions.revoke.mutate({ id: phoneSession.id })).toEqual({ ok: true });
    expect(await codeOf(phone.client.auth.refresh.mutate())).toBe('UNAUTHORIZED');
    expect(await laptop.client.auth.sessions.list.query()).toHaveLength(1);
    expect(await codeOf(laptop.client.auth.sessions.revoke.mutate({ id: phoneSession.id }))).toBe('NOT_FOUND');
  });

  it('will not revoke another user’s session, and says so as for an unknown one', async () => {
    const mine = await device();
    const { client: other } = createTestClient(server.url);
    const otherSession = await other.auth.register.mutate({
      email: 'other@example.com',
      password: 'a strong password',
    });
    const { client: otherAuthed, setAccessToken } = createTestClient(server.url);
    setAccessToken(otherSession.accessToken);
    const [target] = await otherAuthed.auth.sessions.list.query();
    if (!target) throw new Error('no session listed');
    expect(await codeOf(mine.client.auth.sessions.revoke.mutate({ id: target.id }))).toBe('NOT_FOUND');
    expect(await codeOf(mine.client.auth.sessions.revoke.mutate({ id: 'not-a-uuid' }))).toBe('BAD_REQUEST');
    expect(await otherAuthed.auth.sessions.list.query()).toHaveLength(1);
  });

  it('signs out everywhere with logoutAll', async () => {
    const laptop = await device();
    const phone = await device();
    expect(await laptop.client.auth.logoutAll.mutate()).toEqual({ ok: true });
    expect(await codeOf(laptop.client.auth.refresh.mutate())).toBe('UNAUTHORIZED');
    expect(await codeOf(phone.client.auth.refresh.mutate())).toBe('UNAUTHORIZED');
  });
});
