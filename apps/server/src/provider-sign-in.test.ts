/**
 * Issue 24: signing in through an OpenID Connect provider, against a real one (`oidc-provider`)
 * on 127.0.0.1, over HTTP, on each engine. The browser is a cookie jar for Tessera and another
 * for the provider; every attack is a request an attacker could make.
 */

import { PENDING_SIGN_IN_COOKIE } from '@tessera/api';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { createTestClient, dpopKey, rawSql, refusal, startOidcStandIn, type TestServer, testServers } from './testing';
import { startOidcProvider, type TestOidcProvider } from './testing/oidc-test-provider';

const servers = testServers();
let provider: TestOidcProvider | null = null;
afterEach(async () => {
  await provider?.close();
  provider = null;
});

/** A Tessera server offering the provider, and the provider, each knowing the other. */
async function start(): Promise<{ server: TestServer; provider: TestOidcProvider }> {
  let origin = '';
  provider = await startOidcProvider(() => origin);
  const server = await servers.start({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_NAME: 'Example ID',
  });
  origin = server.publicOrigin;
  return { server, provider };
}

/** The provider's redirect back, followed on Tessera by this browser: where Tessera sends it next. */
async function callback(server: TestServer, browser: ReturnType<typeof createTestClient>, back: URL) {
  const response = await browser.jar.fetch(`${server.url}${back.pathname}${back.search}`, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

/** A browser going through the whole round trip as `subject`: where Tessera sends it at the end. */
async function signInThroughProvider(server: TestServer, subject: string, browser = createTestClient(server.url)) {
  const { url } = await browser.client.auth.social.start.mutate({ provider: 'oidc' });
  const back = await provider?.signIn(url, subject);
  if (!back) throw new Error('no provider');
  return { browser, back, ...(await callback(server, browser, back)) };
}

describe('sign-in through an OpenID Connect provider', () => {
  it('offers the provider, signs up with it, signs in again, and the session is an ordinary one', async () => {
    const { server } = await start();
    provider?.accounts.set('ada-sub', { sub: 'ada-sub', email: 'Ada@Example.com', email_verified: true, name: 'Ada' });
    const browser = createTestClient(server.url);
    expect(await browser.client.auth.social.providers.query()).toEqual([{ provider: 'oidc', name: 'Example ID' }]);

    const { url } = await browser.client.auth.social.start.mutate({ provider: 'oidc' });
    const authorization = new URL(url);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${server.publicOrigin}/auth/callback/oidc`);
    expect(authorization.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    const back = await provider?.signIn(url, 'ada-sub');
    if (!back) throw new Error('no provider');
    const first = await callback(server, browser, back);
    // To the app, no token in the URL; the app restores the session with its silent refresh.
    expect(first).toEqual({ status: 303, location: '/' });
    expect(browser.jar.get(REFRESH_COOKIE_NAME)).toBeDefined();
    const session = await browser.client.auth.refresh.mutate();
    expect(session.user).toMatchObject({ email: 'ada@example.com', emailVerified: true, twoFactorEnabled: false });
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['fed'] });
    browser.setAccessToken(session.accessToken);
    await browser.client.auth.logout.mutate();

    const again = await signInThroughProvider(server, 'ada-sub');
    expect(again.location).toBe('/');
    const second = await again.browser.client.auth.refresh.mutate();
    expect(second.user.id).toBe(session.user.id);
    again.browser.setAccessToken(second.accessToken);
    const activity = await again.browser.client.auth.activity.list.query();
    expect(activity.filter((event) => event.type === 'signed_in').map((event) => event.method)).toEqual([
      'oidc',
      'oidc',
    ]);
    expect(await again.browser.client.auth.identities.list.query()).toMatchObject([
      { provider: 'oidc', displayName: 'Ada' },
    ]);
  });

  it('binds the session to the device key that started the sign-in (DPoP): the callback cannot carry a proof', async () => {
    const { server } = await start();
    provider?.accounts.set('key-sub', { sub: 'key-sub', email: 'key@example.com', email_verified: true });
    const key = await dpopKey();
    const browser = createTestClient(server.url, undefined, { key, origin: server.publicOrigin });
    const { location } = await signInThroughProvider(server, 'key-sub', browser);
    expect(location).toBe('/');
    const cookie = browser.jar.get(REFRESH_COOKIE_NAME);
    // The cookie without the key that started it: refused, however it came back.
    const thief = createTestClient(server.url, undefined, { key: await dpopKey(), origin: server.publicOrigin });
    thief.jar.set(REFRESH_COOKIE_NAME, cookie ?? '');
    expect(await refusal(thief.client.auth.refresh.mutate())).toBe('UNAUTHORIZED:DPOP_PROOF_INVALID');
    const session = await browser.client.auth.refresh.mutate();
    expect(decodeJwt(session.accessToken).cnf).toEqual({ jkt: key.jkt });
    browser.setAccessToken(session.accessToken);
    expect((await browser.client.auth.me.query()).email).toBe('key@example.com');
  });

  it('refuses a replayed callback, a callback in another browser, and a forged state', async () => {
    const { server } = await start();
    provider?.accounts.set('bo-sub', { sub: 'bo-sub', email: 'bo@example.com', email_verified: true });
    const { browser, back, location } = await signInThroughProvider(server, 'bo-sub');
    expect(location).toBe('/');
    // The same answer again (code and state replayed): the request is spent.
    expect(await callback(server, browser, back)).toEqual({
      status: 303,
      location: '/sign-in?provider_error=state',
    });

    // An answer carried to another browser (a login CSRF, or a link sent to a victim): refused, and spent.
    const victim = createTestClient(server.url);
    const { url } = await browser.client.auth.social.start.mutate({ provider: 'oidc' });
    const stolen = await provider?.signIn(url, 'bo-sub');
    if (!stolen) throw new Error('no provider');
    expect(await callback(server, victim, stolen)).toEqual({ status: 303, location: '/sign-in?provider_error=state' });
    expect(victim.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
    expect(await callback(server, browser, stolen)).toEqual({ status: 303, location: '/sign-in?provider_error=state' });

    // A state nobody issued, a provider that does not exist, and a redirect target in the query.
    const forged = await browser.jar.fetch(
      `${server.url}/auth/callback/oidc?code=x&state=${'A'.repeat(43)}&redirect_uri=https://evil.example&next=https://evil.example`,
      { redirect: 'manual' },
    );
    expect([forged.status, forged.headers.get('location')]).toEqual([303, '/sign-in?provider_error=state']);
    const unknown = await browser.jar.fetch(`${server.url}/auth/callback/evil?state=x`, { redirect: 'manual' });
    expect(unknown.headers.get('location')).toBe('/sign-in?provider_error=state');
  });

  it('makes one account when the same new identity comes back in two browsers at once, and a sign-out everywhere ends them with a sign-in in flight', async () => {
    const { server } = await start();
    provider?.accounts.set('max-sub', { sub: 'max-sub', email: 'max@example.com', email_verified: true });
    // Both browsers have been to the provider; their answers reach Tessera at the same moment.
    const answers = await Promise.all(
      [createTestClient(server.url), createTestClient(server.url)].map(async (browser) => {
        const { url } = await browser.client.auth.social.start.mutate({ provider: 'oidc' });
        const back = await provider?.signIn(url, 'max-sub');
        if (!back) throw new Error('no provider');
        return { browser, back };
      }),
    );
    const landed = await Promise.all(answers.map(({ browser, back }) => callback(server, browser, back)));
    const signedIn = answers.filter((_, index) => landed[index]?.location === '/');
    expect(signedIn.length).toBeGreaterThanOrEqual(1);
    const users = await Promise.all(signedIn.map(({ browser }) => browser.client.auth.refresh.mutate()));
    expect(new Set(users.map((session) => session.user.id)).size).toBe(1);

    // A third sign-in is answered while the user signs out everywhere: the sessions from before
    // are over either way (the third is ordered before or after it by the security stamp).
    const first = signedIn[0];
    if (!first || !users[0]) throw new Error('not signed in');
    first.browser.setAccessToken(users[0].accessToken);
    const third = createTestClient(server.url);
    const { url } = await third.client.auth.social.start.mutate({ provider: 'oidc' });
    const back = await provider?.signIn(url, 'max-sub');
    if (!back) throw new Error('no provider');
    const [late] = await Promise.all([callback(server, third, back), first.browser.client.auth.logoutAll.mutate()]);
    expect(late.location === '/' || late.location?.startsWith('/sign-in?provider_error=')).toBe(true);
    expect(await refusal(first.browser.client.auth.me.query())).toBe('UNAUTHORIZED:SESSION_REVOKED');
    for (const { browser } of signedIn.slice(1)) {
      expect(await refusal(browser.client.auth.refresh.mutate())).toMatch(/^UNAUTHORIZED:/);
    }
  });

  it('never claims an address the provider does not say is verified, nor an existing account', async () => {
    const { server } = await start();
    const owner = createTestClient(server.url);
    await owner.client.auth.register.mutate({ email: 'cy@example.com', password: 'a strong password' });
    provider?.accounts.set('cy-sub', { sub: 'cy-sub', email: 'cy@example.com', email_verified: true });
    provider?.accounts.set('dee-sub', { sub: 'dee-sub', email: 'dee@example.com', email_verified: false });
    provider?.accounts.set('eve-sub', { sub: 'eve-sub' });
    expect((await signInThroughProvider(server, 'cy-sub')).location).toBe('/sign-in?provider_error=email_taken');
    expect((await signInThroughProvider(server, 'dee-sub')).location).toBe('/sign-in?provider_error=no_verified_email');
    expect((await signInThroughProvider(server, 'eve-sub')).location).toBe('/sign-in?provider_error=no_verified_email');
    // The existing account is as it was: no identity linked to it.
    const session = await owner.client.auth.login.mutate({ email: 'cy@example.com', password: 'a strong password' });
    if (!('accessToken' in session)) throw new Error('second step');
    owner.setAccessToken(session.accessToken);
    expect(await owner.client.auth.identities.list.query()).toEqual([]);
  });

  it('links the provider to a signed-in account after a fresh proof, and disconnects it, never the last way in', async () => {
    const { server } = await start();
    const owner = createTestClient(server.url);
    const session = await owner.client.auth.register.mutate({
      email: 'fay@example.com',
      password: 'a strong password',
    });
    owner.setAccessToken(session.accessToken);
    provider?.accounts.set('fay-sub', { sub: 'fay-sub', email: 'fay@example.com', email_verified: true, name: 'Fay' });
    const { url } = await owner.client.auth.identities.connect.mutate({ provider: 'oidc' });
    const back = await provider?.signIn(url, 'fay-sub');
    if (!back) throw new Error('no provider');
    expect(await callback(server, owner, back)).toEqual({ status: 303, location: '/account' });
    const [linked] = await owner.client.auth.identities.list.query();
    expect(linked).toMatchObject({ provider: 'oidc', displayName: 'Fay' });

    // Now the provider signs in to Fay's account.
    const elsewhere = await signInThroughProvider(server, 'fay-sub');
    expect(elsewhere.location).toBe('/');
    expect((await elsewhere.browser.client.auth.refresh.mutate()).user.id).toBe(session.user.id);

    // Disconnected (Fay keeps her password), it signs in to nothing; a new account cannot take the address.
    await owner.client.auth.identities.disconnect.mutate({ id: linked?.id ?? '' });
    expect(await owner.client.auth.identities.list.query()).toEqual([]);
    expect((await signInThroughProvider(server, 'fay-sub')).location).toBe('/sign-in?provider_error=email_taken');

    // An account the provider made has no other way in: its identity stays.
    provider?.accounts.set('gus-sub', { sub: 'gus-sub', email: 'gus@example.com', email_verified: true });
    const gus = await signInThroughProvider(server, 'gus-sub');
    const gusSession = await gus.browser.client.auth.refresh.mutate();
    gus.browser.setAccessToken(gusSession.accessToken);
    const [gusIdentity] = await gus.browser.client.auth.identities.list.query();
    expect(await refusal(gus.browser.client.auth.identities.disconnect.mutate({ id: gusIdentity?.id ?? '' }))).toBe(
      'PRECONDITION_FAILED:-',
    );
  });

  it('proves it is you again through the connected provider (an account without a password), only with its own identity', async () => {
    const { server } = await start();
    provider?.accounts.set('ivy-sub', { sub: 'ivy-sub', email: 'ivy@example.com', email_verified: true });
    provider?.accounts.set('jon-sub', { sub: 'jon-sub', email: 'jon@example.com', email_verified: true });
    const ivy = await signInThroughProvider(server, 'ivy-sub');
    const jon = await signInThroughProvider(server, 'jon-sub');
    await jon.browser.client.auth.refresh.mutate();
    // Ivy's last proof is old: connecting or disconnecting asks for a fresh one.
    await rawSql(
      server.dbFile,
      "update sessions set auth_time = 1 where user_id = (select id from users where email = 'ivy@example.com')",
    );
    const stale = await ivy.browser.client.auth.refresh.mutate();
    ivy.browser.setAccessToken(stale.accessToken);
    expect(decodeJwt(stale.accessToken)).toMatchObject({ auth_time: 0, amr: ['fed'] });
    const [identity] = await ivy.browser.client.auth.identities.list.query();
    expect(await refusal(ivy.browser.client.auth.identities.disconnect.mutate({ id: identity?.id ?? '' }))).toBe(
      'UNAUTHORIZED:REAUTH_REQUIRED',
    );

    // Another provider account (Jon's) proves nothing for Ivy.
    const wrong = await ivy.browser.client.auth.identities.reauthenticate.mutate({ provider: 'oidc' });
    const wrongBack = await provider?.signIn(wrong.url, 'jon-sub');
    if (!wrongBack) throw new Error('no provider');
    expect(await callback(server, ivy.browser, wrongBack)).toEqual({
      status: 303,
      location: '/account?provider_error=not_linked',
    });
    expect(decodeJwt((await ivy.browser.client.auth.refresh.mutate()).accessToken)).toMatchObject({ auth_time: 0 });

    // Her own: the proof is recorded on this session; the next refresh carries it, and the change goes through.
    const { url } = await ivy.browser.client.auth.identities.reauthenticate.mutate({ provider: 'oidc' });
    const back = await provider?.signIn(url, 'ivy-sub');
    if (!back) throw new Error('no provider');
    expect(await callback(server, ivy.browser, back)).toEqual({
      status: 303,
      location: '/account?reauthenticated=oidc',
    });
    const fresh = await ivy.browser.client.auth.refresh.mutate();
    const claims = decodeJwt(fresh.accessToken);
    expect(claims.sid).toBe(decodeJwt(stale.accessToken).sid);
    expect(Math.abs(Number(claims.auth_time) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(claims.amr).toEqual(['fed']);
    ivy.browser.setAccessToken(fresh.accessToken);
    // Fresh, the disconnect is refused only because it is her last way in.
    expect(await refusal(ivy.browser.client.auth.identities.disconnect.mutate({ id: identity?.id ?? '' }))).toBe(
      'PRECONDITION_FAILED:-',
    );
    const activity = await ivy.browser.client.auth.activity.list.query();
    expect(activity.find((event) => event.type === 'reauthenticated')).toMatchObject({ method: 'oidc' });

    // After "sign out everywhere", a proof started before it records nothing.
    const late = await ivy.browser.client.auth.identities.reauthenticate.mutate({ provider: 'oidc' });
    await ivy.browser.client.auth.logoutAll.mutate();
    const lateBack = await provider?.signIn(late.url, 'ivy-sub');
    if (!lateBack) throw new Error('no provider');
    expect(await callback(server, ivy.browser, lateBack)).toEqual({
      status: 303,
      location: '/account?provider_error=session_ended',
    });
    expect(ivy.browser.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
  });

  it('gives an account the provider made its first password, after a fresh proof, once: then the address signs in too', async () => {
    const { server } = await start();
    provider?.accounts.set('lee-sub', { sub: 'lee-sub', email: 'lee@example.com', email_verified: true });
    const lee = await signInThroughProvider(server, 'lee-sub');
    const session = await lee.browser.client.auth.refresh.mutate();
    lee.browser.setAccessToken(session.accessToken);
    expect(await lee.browser.client.auth.password.status.query()).toEqual({ hasPassword: false });
    // A password to sign in with is a credential: an old proof is not enough.
    await rawSql(
      server.dbFile,
      "update sessions set auth_time = 1 where user_id = (select id from users where email = 'lee@example.com')",
    );
    const stale = await lee.browser.client.auth.refresh.mutate();
    lee.browser.setAccessToken(stale.accessToken);
    expect(await refusal(lee.browser.client.auth.password.set.mutate({ newPassword: 'a strong password' }))).toBe(
      'UNAUTHORIZED:REAUTH_REQUIRED',
    );
    await rawSql(server.dbFile, `update sessions set auth_time = ${Date.now()} where user_id = '${session.user.id}'`);
    lee.browser.setAccessToken((await lee.browser.client.auth.refresh.mutate()).accessToken);
    // Two tabs set it at once: one password is set, the other attempt is refused.
    const outcomes = await Promise.all([
      refusal(lee.browser.client.auth.password.set.mutate({ newPassword: 'a strong password' })),
      refusal(lee.browser.client.auth.password.set.mutate({ newPassword: 'another strong one' })),
    ]);
    expect(outcomes.filter((outcome) => outcome === 'OK')).toHaveLength(1);
    // The other lost to the first: its session ended, the stamp moved, or a password was there.
    expect(outcomes.find((outcome) => outcome !== 'OK')).toMatch(
      /^(UNAUTHORIZED:(SESSION_REVOKED|INVALID_CREDENTIALS)|CONFLICT:-)$/,
    );
    const set = await lee.browser.client.auth.refresh.mutate();
    lee.browser.setAccessToken(set.accessToken);
    expect(await lee.browser.client.auth.password.status.query()).toEqual({ hasPassword: true });
    expect(await refusal(lee.browser.client.auth.password.set.mutate({ newPassword: 'a third one, too' }))).toBe(
      'CONFLICT:-',
    );
    const password = outcomes[0] === 'OK' ? 'a strong password' : 'another strong one';
    const byPassword = createTestClient(server.url);
    const signedIn = await byPassword.client.auth.login.mutate({ email: 'lee@example.com', password });
    expect('accessToken' in signedIn && signedIn.user.id).toBe(session.user.id);
  });

  it('asks an account with two-step verification for its second step after the provider, the handle in no URL', async () => {
    const { server } = await start();
    provider?.accounts.set('kim-sub', { sub: 'kim-sub', email: 'kim@example.com', email_verified: true });
    const first = await signInThroughProvider(server, 'kim-sub');
    const session = await first.browser.client.auth.refresh.mutate();
    first.browser.setAccessToken(session.accessToken);
    // Just signed in through the provider, the proof is fresh: Kim turns two-step verification on.
    const { secret } = await first.browser.client.auth.twoFactor.setup.mutate();
    const codeAt = (steps: number) =>
      new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + steps * 30_000 });
    await first.browser.client.auth.twoFactor.confirm.mutate({ code: codeAt(-1) });

    const again = await signInThroughProvider(server, 'kim-sub');
    expect(again.location).toBe('/sign-in?second_step=oidc');
    expect(again.browser.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
    expect(again.browser.jar.get(PENDING_SIGN_IN_COOKIE)).toMatch(/^[\w-]{43}$/);
    // Another browser has no pending sign-in to finish.
    const other = createTestClient(server.url);
    expect(await refusal(other.client.auth.twoFactor.verify.mutate({ code: codeAt(0) }))).toBe(
      'UNAUTHORIZED:PENDING_SIGN_IN_EXPIRED',
    );
    // A code from five minutes on is outside the accepted window (±1 step).
    expect(await refusal(again.browser.client.auth.twoFactor.verify.mutate({ code: codeAt(10) }))).toBe(
      'UNAUTHORIZED:INVALID_CODE',
    );
    const signedIn = await again.browser.client.auth.twoFactor.verify.mutate({ code: codeAt(0) });
    expect(signedIn.user.id).toBe(session.user.id);
    expect(decodeJwt(signedIn.accessToken)).toMatchObject({ amr: ['fed', 'otp'] });
    expect(again.browser.jar.get(REFRESH_COOKIE_NAME)).toBeDefined();
    expect(again.browser.jar.get(PENDING_SIGN_IN_COOKIE)).toBeUndefined();
    again.browser.setAccessToken(signedIn.accessToken);
    const activity = await again.browser.client.auth.activity.list.query();
    expect(activity.find((event) => event.type === 'signed_in')).toMatchObject({ method: 'oidc_totp' });

    // A provider alone is not a fresh proof for an account with two steps.
    const proof = await again.browser.client.auth.identities.reauthenticate.mutate({ provider: 'oidc' });
    const back = await provider?.signIn(proof.url, 'kim-sub');
    if (!back) throw new Error('no provider');
    expect(await callback(server, again.browser, back)).toEqual({
      status: 303,
      location: '/account?provider_error=two_factor',
    });
  });

  it('refuses an ID token with a wrong nonce, for another audience, from another issuer, signed by another key, or expired, and a code used twice', async () => {
    let origin = '';
    const standIn = await startOidcStandIn({
      clientId: 'tessera',
      clientSecret: 'a secret',
      account: { sub: 'mallory', email: 'mallory@example.com', email_verified: true },
    });
    try {
      const server = await servers.start({
        OIDC_ISSUER: standIn.issuer,
        OIDC_CLIENT_ID: 'tessera',
        OIDC_CLIENT_SECRET: 'a secret',
      });
      origin = server.publicOrigin;
      /** The whole round trip through the stand-in: where Tessera sends the browser. */
      const roundTrip = async () => {
        const browser = createTestClient(server.url);
        const { url } = await browser.client.auth.social.start.mutate({ provider: 'oidc' });
        const answer = await fetch(url, { redirect: 'manual' });
        const back = new URL(answer.headers.get('location') ?? '');
        expect(back.origin).toBe(origin);
        return { browser, back, ...(await callback(server, browser, back)) };
      };
      const now = Math.floor(Date.now() / 1000);
      for (const claims of [
        { nonce: 'not-the-nonce' },
        { aud: 'another-client' },
        { iss: 'https://evil.example' },
        { exp: now - 3600, iat: now - 7200 },
      ]) {
        standIn.tamper({ claims });
        expect((await roundTrip()).location).toBe('/sign-in?provider_error=provider');
      }
      standIn.tamper({ foreignKey: true });
      expect((await roundTrip()).location).toBe('/sign-in?provider_error=provider');

      // Untampered, it signs in; the same code presented again (with a fresh state) is refused by the provider.
      standIn.tamper({});
      const good = await roundTrip();
      expect(good.location).toBe('/');
      const second = createTestClient(server.url);
      const { url } = await second.client.auth.social.start.mutate({ provider: 'oidc' });
      const state = new URL(url).searchParams.get('state') ?? '';
      const replayed = new URL(good.back);
      replayed.searchParams.set('state', state);
      expect(await callback(server, second, replayed)).toEqual({
        status: 303,
        location: '/sign-in?provider_error=provider',
      });
      expect(second.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
    } finally {
      await standIn.close();
    }
  });
});
