/**
 * Issue 20, finding 3: five minutes with a stolen access token added a passkey that outlived
 * "sign out everywhere" and a reset. Adding a passkey now needs a proof of the password or a
 * passkey younger than REAUTH_MAX_AGE; `auth.reauthenticate` gives one, in the same session.
 * On each engine.
 */
import { SoftwareAuthenticator } from '@tessera/auth/testing';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { callProcedure, rawSql, refreshTokenFrom, registerUser, startTestServer, type TestServer } from './testing';

let server: TestServer;
afterEach(async () => {
  await server.dispose();
});

const password = 'a strong password';
const as = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
const tokenOf = (body: unknown) => (body as { result: { data: { accessToken: string } } }).result.data.accessToken;

/**
 * An account with a proved address, signed in; its proof then dated `authTime` (epoch ms: long
 * ago by default), and an access token that says so.
 */
async function staleSession(email: string, authTime = 1) {
  const { refreshToken } = await registerUser(server.url, email, { password });
  await rawSql(server.dbFile, `update users set email_verified_at = 1 where email = '${email}'`);
  await proofDated(email, authTime);
  return refreshed(refreshToken);
}

const proofDated = (email: string, authTime: number) =>
  rawSql(
    server.dbFile,
    `update sessions set auth_time = ${authTime} where user_id = (select id from users where email = '${email}')`,
  );

async function refreshed(refreshToken: string) {
  const answer = await callProcedure(server.url, 'auth.refresh', {
    headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`, origin: server.publicOrigin },
  });
  return { accessToken: tokenOf(answer.body), refreshToken: refreshTokenFrom(answer.headers) ?? '' };
}

const reauthenticate = (accessToken: string, input: unknown) =>
  callProcedure(server.url, 'auth.reauthenticate', { input, headers: as(accessToken) });
const registrationOptions = (accessToken: string) =>
  callProcedure(server.url, 'auth.passkeys.registrationOptions', { headers: as(accessToken) });

describe('step-up before a sensitive change', () => {
  it('refuses to add a passkey on an old proof with REAUTH_REQUIRED; the password proves it again in the same session', async () => {
    server = await startTestServer();
    const { accessToken } = await staleSession('ada@example.com');
    expect(decodeJwt(accessToken)).toMatchObject({ auth_time: 0, amr: ['pwd'] });
    const refused = await registrationOptions(accessToken);
    expect([refused.status, refused.reason]).toEqual([401, 'REAUTH_REQUIRED']);
    // The session itself goes on: only the change is refused.
    expect(
      (await callProcedure(server.url, 'auth.sessions.list', { method: 'GET', headers: as(accessToken) })).status,
    ).toBe(200);

    const wrong = await reauthenticate(accessToken, { password: 'not the password' });
    expect([wrong.status, wrong.reason]).toEqual([401, 'INVALID_CREDENTIALS']);
    const proved = await reauthenticate(accessToken, { password });
    expect(proved.status).toBe(200);
    const fresh = tokenOf(proved.body);
    const claims = decodeJwt(fresh);
    expect(claims.sid).toBe(decodeJwt(accessToken).sid);
    expect(Math.abs(Number(claims.auth_time) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(refreshTokenFrom(proved.headers)).toBeNull(); // the cookie stays as it is
    expect((await registrationOptions(fresh)).status).toBe(200);

    const activity = await callProcedure(server.url, 'auth.activity.list', { method: 'GET', headers: as(fresh) });
    expect(JSON.stringify(activity.body)).toContain('"type":"reauthenticated"');
  });

  it('takes a passkey of the same account as the proof, and no other account’s', async () => {
    server = await startTestServer();
    const authenticator = new SoftwareAuthenticator({ origin: server.publicOrigin, rpId: 'localhost' });
    // Ada adds a passkey while her sign-in is fresh, then her proof grows old.
    const ada = await registerUser(server.url, 'ada@example.com', { password });
    await rawSql(server.dbFile, 'update users set email_verified_at = 1');
    const options = await registrationOptions(ada.accessToken);
    const creation = (options.body as { result: { data: { challenge: string; user: { id: string } } } }).result.data;
    const added = await callProcedure(server.url, 'auth.passkeys.register', {
      input: { response: authenticator.register(creation) },
      headers: as(ada.accessToken),
    });
    expect(added.status).toBe(200);
    const stale = await staleSession('bob@example.com');
    // Bob's session cannot borrow Ada's passkey.
    const challenge = async () =>
      (
        (await callProcedure(server.url, 'auth.passkeys.authenticationOptions', {})).body as {
          result: { data: { challenge: string } };
        }
      ).result.data;
    const borrowed = await reauthenticate(stale.accessToken, {
      passkey: authenticator.authenticate(await challenge()),
    });
    expect([borrowed.status, borrowed.reason]).toEqual([401, 'INVALID_CREDENTIALS']);

    await proofDated('ada@example.com', 1);
    const adaStale = await refreshed(ada.refreshToken);
    expect((await registrationOptions(adaStale.accessToken)).reason).toBe('REAUTH_REQUIRED');
    const proved = await reauthenticate(adaStale.accessToken, {
      passkey: authenticator.authenticate(await challenge()),
    });
    expect(proved.status).toBe(200);
    expect(decodeJwt(tokenOf(proved.body)).amr).toEqual(['hwk', 'user']);
  });

  it('proves nothing for a session that has ended', async () => {
    server = await startTestServer();
    const { accessToken } = await staleSession('ada@example.com');
    await callProcedure(server.url, 'auth.logoutAll', { headers: as(accessToken) });
    const ended = await reauthenticate(accessToken, { password });
    expect([ended.status, ended.reason]).toEqual([401, 'SESSION_REVOKED']);
  });

  it('reads REAUTH_MAX_AGE: a proof older than it is refused, a younger one passes', async () => {
    server = await startTestServer({ env: { REAUTH_MAX_AGE: '30' } });
    const old = await staleSession('ada@example.com', Date.now() - 60_000);
    expect((await registrationOptions(old.accessToken)).reason).toBe('REAUTH_REQUIRED');
    await proofDated('ada@example.com', Date.now() - 5_000);
    const young = await refreshed(old.refreshToken);
    expect((await registrationOptions(young.accessToken)).status).toBe(200);
  });
});
