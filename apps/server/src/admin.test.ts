import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseLabel } from './database';
import { createTestClient, runTool, SET_USER_ROLE_JS, signedInOnly, startTestServer, type TestServer } from './testing';

let server: TestServer;
afterEach(async () => {
  await server.dispose();
});

/** `npm run user:role -- <email> <role>`, as built, against the test server's database. */
async function setUserRole(...args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runTool(SET_USER_ROLE_JS, server.databaseEnv, args);
  const code = await run.exited;
  return { code, output: run.stdout() + run.stderr() };
}

async function signIn(email: string, create = false) {
  const { client, setAccessToken } = createTestClient(server.url);
  const input = { email, password: 'a strong password' };
  const session = create
    ? await client.auth.register.mutate(input)
    : signedInOnly(await client.auth.login.mutate(input));
  setAccessToken(session.accessToken);
  return { client, session };
}

const refusal = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCClientError ? `${error.data?.code}:${error.data?.reason ?? ''}` : 'ERR'),
  );

describe('roles and the admin procedures', () => {
  it('refuses a user, makes an admin from the command line (ending their sessions), and lets the admin act', async () => {
    server = await startTestServer();
    const ada = await signIn('ada@example.com', true);
    const bob = await signIn('bob@example.com', true);
    expect(ada.session.user.role).toBe('user');
    expect(await refusal(ada.client.admin.users.list.query())).toBe('FORBIDDEN:');

    const granted = await setUserRole('Ada@Example.com', 'admin');
    expect(granted).toMatchObject({ code: 0 });
    expect(granted.output).toContain('ada@example.com is now admin');
    expect(granted.output).toContain(`(database: ${databaseLabel(server.databaseEnv.DATABASE_URL ?? '')})`);
    // No live token carries the old role: Ada's session ended.
    await expect
      .poll(() => refusal(ada.client.auth.me.query()), { timeout: 15_000 })
      .toBe('UNAUTHORIZED:SESSION_REVOKED');

    const admin = await signIn('ada@example.com');
    expect(admin.session.user.role).toBe('admin');
    const page = await admin.client.admin.users.list.query({ limit: 10 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((user) => [user.email, user.role, user.sessions])).toEqual([
      ['bob@example.com', 'user', 1],
      ['ada@example.com', 'admin', 1],
    ]);
    expect(page.items[0]).toMatchObject({
      id: bob.session.user.id,
      createdAt: expect.any(Number),
      lastActiveAt: expect.any(Number),
    });

    expect(await admin.client.admin.users.revokeSessions.mutate({ userId: bob.session.user.id })).toEqual({ ok: true });
    expect(await refusal(bob.client.auth.me.query())).toBe('UNAUTHORIZED:SESSION_REVOKED');
    expect(await refusal(admin.client.admin.users.revokeSessions.mutate({ userId: crypto.randomUUID() }))).toBe(
      'NOT_FOUND:',
    );
    expect(await refusal(bob.client.admin.users.revokeSessions.mutate({ userId: admin.session.user.id }))).toBe(
      'UNAUTHORIZED:SESSION_REVOKED',
    );
  });

  it('the command says what is wrong: an unknown email, an unknown role', async () => {
    server = await startTestServer();
    expect(await setUserRole('nobody@example.com', 'admin')).toMatchObject({
      code: 1,
      output: expect.stringContaining('no account'),
    });
    expect(await setUserRole('nobody@example.com', 'root')).toMatchObject({
      code: 1,
      output: expect.stringContaining('usage'),
    });
  });
});
