/**
 * Issue 20, finding 1: a sign-in in flight (its user read, its password hashing) outlived a
 * password reset, a password change and a demotion, and kept a refreshable session (with the
 * old role in its token). Sign-ins run back to back, several at once, all through the change:
 * whichever of them finished after it must have been refused or ended with it. On each engine.
 * ("Sign out everywhere" moves the same stamp: sessions.test.ts.)
 */
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import {
  callProcedure,
  refreshTokenFrom,
  registerUser,
  runTool,
  SET_USER_ROLE_JS,
  startTestServer,
  type TestServer,
} from './testing';

let server: TestServer;
let sink: SmtpSink;
beforeEach(async () => {
  sink = await startSmtpSink();
  // Unthrottled: the sign-ins below are many by design.
  server = await startTestServer({ env: { RATE_LIMIT: 'off', SMTP_URL: sink.url } });
});
afterEach(async () => {
  await server.dispose();
  await sink.close();
});

const email = 'racer@example.com';
const password = 'the old password';

interface SignedIn {
  accessToken: string;
  refreshToken: string;
  role: string;
}

/**
 * Signs in with `password` over and over, `lanes` at a time, until `change` has finished, then
 * waits for those still in flight: every session any of them got.
 */
async function signInsAround(change: () => Promise<void>, lanes = 3): Promise<SignedIn[]> {
  const sessions: SignedIn[] = [];
  let changing = true;
  const lane = async () => {
    while (changing) {
      const answer = await callProcedure(server.url, 'auth.login', { input: { email, password } });
      if (answer.status !== 200) continue;
      const { accessToken } = (answer.body as { result: { data: { accessToken: string } } }).result.data;
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
      sessions.push({ accessToken, refreshToken: refreshTokenFrom(answer.headers) ?? '', role: claims.role });
    }
  };
  const running = Array.from({ length: lanes }, lane);
  // Let every lane have a sign-in under way before the change starts.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    await change();
  } finally {
    changing = false;
  }
  await Promise.all(running);
  return sessions;
}

const refresh = (refreshToken: string) =>
  callProcedure(server.url, 'auth.refresh', {
    headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`, origin: server.publicOrigin },
  });
const authorized = (path: string, accessToken: string) =>
  callProcedure(server.url, path, { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });

/** Not one session started with the old credential is usable once the change has answered. */
async function expectAllEnded(sessions: SignedIn[]): Promise<void> {
  for (const session of sessions) {
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await authorized('auth.sessions.list', session.accessToken)).status).toBe(401);
  }
}

describe('a sign-in in flight does not outlive the change that should end it', () => {
  it('a password change', async () => {
    const owner = await registerUser(server.url, email, { password });
    let changed = 0;
    const sessions = await signInsAround(async () => {
      const answer = await callProcedure(server.url, 'auth.changePassword', {
        input: { currentPassword: password, newPassword: 'a brand new password' },
        headers: { authorization: `Bearer ${owner.accessToken}` },
      });
      changed = answer.status;
    });
    expect(changed).toBe(200);
    await expectAllEnded(sessions);
  });

  it('a password reset', async () => {
    await registerUser(server.url, email, { password });
    await sink.waitFor(1); // the verification mail
    expect((await callProcedure(server.url, 'auth.password.requestReset', { input: { email } })).status).toBe(200);
    const [, mail] = await sink.waitFor(2);
    const token = /#token=([\w-]{43})/.exec(mail?.text ?? '')?.[1] ?? '';
    const sessions = await signInsAround(async () => {
      const answer = await callProcedure(server.url, 'auth.password.reset', {
        input: { token, newPassword: 'a brand new password' },
      });
      expect(answer.status).toBe(200);
    });
    await expectAllEnded(sessions);
  });

  it('a demotion: no token that says admin outlives it, and no admin procedure answers one', async () => {
    await registerUser(server.url, email, { password });
    const promote = runTool(SET_USER_ROLE_JS, server.databaseEnv, [email, 'admin']);
    expect(await promote.exited).toBe(0);
    const sessions = await signInsAround(async () => {
      const demote = runTool(SET_USER_ROLE_JS, server.databaseEnv, [email, 'user']);
      expect(await demote.exited).toBe(0);
    });
    const admins = sessions.filter((session) => session.role === 'admin');
    expect(admins.length).toBeGreaterThan(0);
    await expectAllEnded(admins);
    for (const session of admins) {
      expect((await authorized('admin.users.list', session.accessToken)).status).toBe(401);
    }
  });
});
