import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type DbHandle } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from './config';
import { type Auth, createAuth } from './create-auth';
import { createSqliteStore } from './engines/sqlite/store';
import { createSqliteWorker } from './engines/sqlite/worker';
import { signedInOnly, until } from './engines/testing';
import { createSecretBox, generateSecretKey } from './tokens/secret-box';

/** One key for every process of a test, as every server of a deployment shares SECRET_KEY. */
const box = createSecretBox({ key: generateSecretKey() });
const config = { issuer: 'https://app.example.com', audience: 'tessera', ...defaultAuthConfig };
const client = { userAgent: 'Test/1.0', ip: '203.0.113.1' };
let dir: string;
const opened: Array<{ auth: Auth; handle: DbHandle }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-auth-'));
});
afterEach(async () => {
  for (const { auth, handle } of opened.splice(0)) {
    await auth.close();
    handle.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** One server process's auth core on the shared file, following the others through a worker. */
async function serverProcess(now: () => number = Date.now): Promise<Auth> {
  const file = join(dir, 'tessera.db');
  const handle = createDb(file);
  const background = createSqliteWorker(file);
  const auth = await createAuth({
    store: createSqliteStore(handle.db),
    config,
    box,
    background,
    revocationPollMs: 50,
    now,
  });
  opened.push({ auth, handle });
  return auth;
}

describe('revocation in the auth core', () => {
  it('refuses a signed-out session’s token in this process at once, in another within a poll, and in a later one', async () => {
    const a = await serverProcess();
    const b = await serverProcess();
    const { session } = await a.register(
      { email: 'ada@example.com', password: 'a strong password', name: null },
      client,
    );
    const caller = { userId: session.user.id, sessionId: expect.any(String) };
    expect(await a.verifyAccessToken(session.accessToken)).toMatchObject({ ok: true, token: caller });
    expect(await b.verifyAccessToken(session.accessToken)).toMatchObject({ ok: true });
    const check = await a.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    // From here the token is in both processes' verified-token caches: revocation must win anyway.

    await a.logout(check.token, client);
    // Refused, saying what ended it, here and in the other process alike.
    const signedOut = { ok: false, reason: 'revoked', sessionEnd: 'signed_out' };
    expect(await a.verifyAccessToken(session.accessToken)).toEqual(signedOut);
    await until(async () => !(await b.verifyAccessToken(session.accessToken)).ok);
    expect(await b.verifyAccessToken(session.accessToken)).toEqual(signedOut);

    const c = await serverProcess();
    expect(await c.verifyAccessToken(session.accessToken)).toEqual(signedOut);
    expect(await c.sessionStatus(check.token)).toBe('revoked');
  });

  it('ends every session on logoutAll and on a password change, and records each event', async () => {
    const auth = await serverProcess();
    const first = await auth.register({ email: 'bo@example.com', password: 'a strong password', name: null }, client);
    const second = signedInOnly(await auth.login({ email: 'bo@example.com', password: 'a strong password' }, client));
    const firstCheck = await auth.verifyAccessToken(first.session.accessToken);
    if (!firstCheck.ok) throw new Error('token refused');

    const changed = await auth.changePassword(
      {
        userId: first.session.user.id,
        sessionId: firstCheck.token.sessionId,
        currentPassword: 'a strong password',
        newPassword: 'another password',
      },
      client,
    );
    const changedPassword = { ok: false, reason: 'revoked', sessionEnd: 'password_changed' };
    expect(await auth.verifyAccessToken(first.session.accessToken)).toEqual(changedPassword);
    expect(await auth.verifyAccessToken(second.session.accessToken)).toEqual(changedPassword);
    expect(await auth.verifyAccessToken(changed.session.accessToken)).toMatchObject({ ok: true });

    const changedCheck = await auth.verifyAccessToken(changed.session.accessToken);
    if (!changedCheck.ok) throw new Error('token refused');
    await auth.logoutAll(changedCheck.token, client);
    expect(await auth.verifyAccessToken(changed.session.accessToken)).toEqual({
      ok: false,
      reason: 'revoked',
      sessionEnd: 'signed_out_everywhere',
    });

    expect((await auth.recentActivity(first.session.user.id)).map((event) => event.type)).toEqual([
      'signed_out_everywhere',
      'password_changed',
      'signed_in',
      'signed_in',
    ]);
    expect(auth.revocationHealth()).toMatchObject({ stale: false, lastError: null, size: 3 });
  });

  it('ends the session on refresh-token reuse and records it with the replaying client', async () => {
    let clock = Date.now();
    const auth = await serverProcess(() => clock);
    const { session, refreshToken } = await auth.register(
      { email: 'cy@example.com', password: 'a strong password', name: null },
      client,
    );
    await auth.refresh(refreshToken, client);
    clock += (defaultAuthConfig.refreshReuseGrace + 1) * 1000;

    const thief = { userAgent: 'curl/8.0', ip: '198.51.100.9' };
    await expect(auth.refresh(refreshToken, thief)).rejects.toMatchObject({ details: { reason: 'reused' } });
    expect(await auth.verifyAccessToken(session.accessToken)).toEqual({
      ok: false,
      reason: 'revoked',
      sessionEnd: 'reuse_detected',
    });
    expect((await auth.recentActivity(session.user.id))[0]).toMatchObject({
      type: 'refresh_token_reused',
      userAgent: 'curl/8.0',
      ip: '198.51.100.9',
    });
  });
});

describe('the user read for auth.me', () => {
  it('shows this process’s change at once, and another process’s within a second', async () => {
    const a = await serverProcess();
    const b = await serverProcess();
    const { session } = await a.register(
      { email: 'role@example.com', password: 'a strong password', name: null },
      client,
    );
    const id = session.user.id;
    expect((await a.getUser(id))?.role).toBe('user');
    expect((await b.getUser(id))?.role).toBe('user');

    await a.setRole('role@example.com', 'admin');
    expect((await a.getUser(id))?.role).toBe('admin');
    const waited = await until(async () => (await b.getUser(id))?.role === 'admin', 3_000);
    expect(waited).toBeLessThanOrEqual(1_500);
  });
});
