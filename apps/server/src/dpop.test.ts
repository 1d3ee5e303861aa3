import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { callProcedure, type DpopKey, dpopKey, refreshTokenFrom, type TrpcAnswer, testServers } from './testing';

const servers = testServers();
const PASSWORD = 'a strong password';

/** What a refusal of a DPoP failure looks like: its reason, and RFC 9449 §7.1's challenge. */
function expectDpopRefusal(answer: TrpcAnswer, reason: string, error?: string) {
  expect({ status: answer.status, reason: answer.reason }).toEqual({ status: 401, reason });
  const challenge = answer.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^DPoP /);
  expect(challenge).toContain('algs="ES256"');
  if (error) expect(challenge).toContain(`error="${error}"`);
}

/** A server, and calls to it whose proofs name its PUBLIC_ORIGIN, as a browser on the app's page would. */
async function startDpopServer(env: Record<string, string> = {}) {
  const server = await servers.start({ RATE_LIMIT: 'off', ...env });
  const at = (path: string) => `${server.publicOrigin}/trpc/${path}`;
  const me = (headers: Record<string, string>) => callProcedure(server.url, 'auth.me', { method: 'GET', headers });
  /** Signs up (`path` another sign-in procedure) with a proof from `key`, or none. */
  const signIn = async (email: string, key: DpopKey | null, path = 'auth.register', nonce?: string) => {
    const headers = key ? { dpop: await key.proof({ method: 'POST', url: at(path), nonce }) } : undefined;
    const answer = await callProcedure(server.url, path, { input: { email, password: PASSWORD }, headers });
    const accessToken = (answer.body as { result?: { data?: { accessToken?: string } } }).result?.data?.accessToken;
    return { answer, accessToken: accessToken ?? '', refreshToken: refreshTokenFrom(answer.headers) ?? '' };
  };
  const refresh = async (refreshToken: string, key: DpopKey | null) =>
    callProcedure(server.url, 'auth.refresh', {
      headers: {
        cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`,
        ...(key ? { dpop: await key.proof({ method: 'POST', url: at('auth.refresh') }) } : {}),
      },
    });
  return { server, at, me, signIn, refresh };
}

describe('DPoP-bound sessions (RFC 9449)', () => {
  it('binds a session started with a proof: its tokens carry cnf.jkt, and each request needs a fresh proof of the key', async () => {
    const { at, me, signIn } = await startDpopServer();
    const key = await dpopKey();
    const { accessToken } = await signIn('bound@example.com', key);
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt });

    const proof = await key.proof({ method: 'GET', url: at('auth.me'), accessToken });
    const answer = await me({ authorization: `DPoP ${accessToken}`, dpop: proof });
    expect(answer.status).toBe(200);
    // A cached token is no pass: every request is checked for its own proof.
    const again = await me({ authorization: `DPoP ${accessToken}`, dpop: proof });
    expectDpopRefusal(again, 'DPOP_PROOF_INVALID', 'invalid_dpop_proof');
  });

  it('refuses a stolen access token without a proof, as Bearer, or with a proof from another key, URL, method, time or token', async () => {
    const { at, me, signIn } = await startDpopServer();
    const key = await dpopKey();
    const thief = await dpopKey();
    const { accessToken } = await signIn('victim@example.com', key);
    const { accessToken: otherToken } = await signIn('other@example.com', key);
    const dpop = `DPoP ${accessToken}`;
    const url = at('auth.me');

    expectDpopRefusal(await me({ authorization: dpop }), 'DPOP_PROOF_MISSING');
    const proof = await key.proof({ method: 'GET', url, accessToken });
    expectDpopRefusal(await me({ authorization: `Bearer ${accessToken}`, dpop: proof }), 'DPOP_PROOF_MISSING');
    const refused = async (proofOf: Promise<string>) =>
      expectDpopRefusal(
        await me({ authorization: dpop, dpop: await proofOf }),
        'DPOP_PROOF_INVALID',
        'invalid_dpop_proof',
      );
    await refused(thief.proof({ method: 'GET', url, accessToken }));
    await refused(key.proof({ method: 'GET', url: at('auth.sessions.list'), accessToken }));
    await refused(key.proof({ method: 'POST', url, accessToken }));
    await refused(key.proof({ method: 'GET', url: `https://evil.example/trpc/auth.me`, accessToken }));
    await refused(key.proof({ method: 'GET', url, accessToken, iat: Math.floor(Date.now() / 1000) - 120 }));
    await refused(key.proof({ method: 'GET', url, accessToken, iat: Math.floor(Date.now() / 1000) + 120 }));
    await refused(key.proof({ method: 'GET', url, accessToken: otherToken }));
    await refused(key.proof({ method: 'GET', url }));
    await refused(Promise.resolve('not.a.proof'));
    // A replayed proof: the same jti twice.
    const once = await key.proof({ method: 'GET', url, accessToken, jti: 'the-same-jti-twice-0001' });
    expect((await me({ authorization: dpop, dpop: once })).status).toBe(200);
    await refused(Promise.resolve(once));
    await refused(key.proof({ method: 'GET', url, accessToken, jti: 'the-same-jti-twice-0001' }));
    // The owner is untouched by all of it.
    expect((await me({ authorization: dpop, dpop: await key.proof({ method: 'GET', url, accessToken }) })).status).toBe(
      200,
    );
  });

  it('refuses a stolen refresh cookie without the key, before reuse detection: the cookie stays, the session lives on', async () => {
    const { signIn, refresh } = await startDpopServer();
    const key = await dpopKey();
    const thief = await dpopKey();
    const { refreshToken } = await signIn('cookie@example.com', key);

    for (const stolen of [null, thief]) {
      const answer = await refresh(refreshToken, stolen);
      expectDpopRefusal(answer, 'DPOP_PROOF_INVALID');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    const owner = await refresh(refreshToken, key);
    expect(owner.status).toBe(200);
    const next = refreshTokenFrom(owner.headers) ?? '';
    const accessToken = (owner.body as { result: { data: { accessToken: string } } }).result.data.accessToken;
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt });
    // The replaced cookie, replayed by the thief after the owner used it: refused for the key, so
    // it cannot end the owner's session as a replay would.
    expectDpopRefusal(await refresh(refreshToken, thief), 'DPOP_PROOF_INVALID');
    expect((await refresh(next, key)).status).toBe(200);
  });

  it('under a storm of refreshes, the owner’s share one lineage and a thief’s, in flight at the same time, end nothing', async () => {
    const { signIn, refresh } = await startDpopServer();
    const key = await dpopKey();
    const thief = await dpopKey();
    const { refreshToken } = await signIn('storm@example.com', key);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => refresh(refreshToken, i % 2 === 0 ? key : thief)),
    );
    const owners = answers.filter((_, i) => i % 2 === 0);
    const thieves = answers.filter((_, i) => i % 2 === 1);
    expect(thieves.map((answer) => answer.reason)).toEqual(thieves.map(() => 'DPOP_PROOF_INVALID'));
    expect(owners.map((answer) => answer.status)).toEqual(owners.map(() => 200));
    const successors = new Set(owners.map((answer) => refreshTokenFrom(answer.headers)));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect((await refresh(successor ?? '', key)).status).toBe(200);
  });

  it('refuses a bound token of an ended session at once, whatever proof comes with it', async () => {
    const { server, at, me, signIn } = await startDpopServer();
    const key = await dpopKey();
    const { accessToken } = await signIn('ended@example.com', key);
    const proofFor = (path: string, method: 'GET' | 'POST') => key.proof({ method, url: at(path), accessToken });
    const logout = await callProcedure(server.url, 'auth.logout', {
      headers: { authorization: `DPoP ${accessToken}`, dpop: await proofFor('auth.logout', 'POST') },
    });
    expect(logout.status).toBe(200);
    const answer = await me({ authorization: `DPoP ${accessToken}`, dpop: await proofFor('auth.me', 'GET') });
    expect(answer.reason).toBe('SESSION_REVOKED');
  });

  it('gives a client without a key a Bearer session (DPOP=optional), whose token is refused as DPoP', async () => {
    const { server, at, me, signIn, refresh } = await startDpopServer();
    const { accessToken, refreshToken } = await signIn('script@example.com', null);
    expect(decodeJwt(accessToken).cnf).toBeUndefined();
    expect((await me({ authorization: `Bearer ${accessToken}` })).status).toBe(200);
    const key = await dpopKey();
    const proof = await key.proof({ method: 'GET', url: at('auth.me'), accessToken });
    expectDpopRefusal(await me({ authorization: `DPoP ${accessToken}`, dpop: proof }), 'DPOP_PROOF_INVALID');
    // A bad proof is refused even where none is needed: it is never silently ignored.
    const stale = await key.proof({ method: 'POST', url: at('auth.refresh'), iat: 1 });
    const answer = await callProcedure(server.url, 'auth.refresh', {
      headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`, dpop: stale },
    });
    expectDpopRefusal(answer, 'DPOP_PROOF_INVALID');
    expect((await refresh(refreshToken, null)).status).toBe(200);
  });

  it('DPOP=required: refuses a sign-in without a proof, and binds every session', async () => {
    const { signIn } = await startDpopServer({ DPOP: 'required' });
    const refused = await signIn('nokey@example.com', null);
    expectDpopRefusal(refused.answer, 'DPOP_PROOF_MISSING');
    expect(refused.answer.headers.getSetCookie()).toEqual([]);
    const key = await dpopKey();
    const { accessToken } = await signIn('key@example.com', key);
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt });
  });

  it('DPOP_NONCE=on: a proof without the server’s nonce is refused with use_dpop_nonce and the nonce, then passes with it', async () => {
    const { at, me, signIn } = await startDpopServer({ DPOP_NONCE: 'on' });
    const key = await dpopKey();
    const first = await signIn('nonce@example.com', key);
    expectDpopRefusal(first.answer, 'DPOP_NONCE_REQUIRED', 'use_dpop_nonce');
    const nonce = first.answer.headers.get('dpop-nonce');
    expect(nonce).toEqual(expect.any(String));
    const { accessToken } = await signIn('nonce@example.com', key, 'auth.register', nonce ?? '');
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt });
    const proofOf = (withNonce: string) =>
      key.proof({ method: 'GET', url: at('auth.me'), accessToken, nonce: withNonce });
    expectDpopRefusal(
      await me({ authorization: `DPoP ${accessToken}`, dpop: await proofOf('forged') }),
      'DPOP_NONCE_REQUIRED',
    );
    expect((await me({ authorization: `DPoP ${accessToken}`, dpop: await proofOf(nonce ?? '') })).status).toBe(200);
  });

  it('spends one proof per HTTP request: a batch of calls with one proof passes', async () => {
    const { server, at, signIn } = await startDpopServer();
    const key = await dpopKey();
    const { accessToken } = await signIn('batch@example.com', key);
    const path = 'auth.me,auth.sessions.list';
    const answer = await callProcedure(server.url, `${path}?batch=1&input=${encodeURIComponent('{}')}`, {
      method: 'GET',
      headers: {
        authorization: `DPoP ${accessToken}`,
        dpop: await key.proof({ method: 'GET', url: at(path), accessToken }),
      },
    });
    expect(answer.status).toBe(200);
    expect((answer.body as unknown[]).length).toBe(2);
  });

  it('keeps the binding through a step-up: the new token names the same key', async () => {
    const { server, at, signIn } = await startDpopServer();
    const key = await dpopKey();
    const { accessToken } = await signIn('stepup@example.com', key);
    const answer = await callProcedure(server.url, 'auth.reauthenticate', {
      input: { password: PASSWORD },
      headers: {
        authorization: `DPoP ${accessToken}`,
        dpop: await key.proof({ method: 'POST', url: at('auth.reauthenticate'), accessToken }),
      },
    });
    expect(answer.status).toBe(200);
    const fresh = (answer.body as { result: { data: { accessToken: string } } }).result.data.accessToken;
    expect(decodeJwt(fresh).cnf).toEqual({ jkt: key.jkt });
  });
});
