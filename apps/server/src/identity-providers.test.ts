/**
 * Issue 24: GitHub and Google, each configured by its two variables, against local stand-ins
 * that speak the providers' documented endpoints (GitHub's OAuth app and REST API, Google's
 * discovery and ID tokens) as strictly as they do, on each engine: a change in Tessera that
 * breaks their contract fails here.
 */
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import {
  createTestClient,
  type GithubAccount,
  rawSql,
  startGithubStandIn,
  startOidcStandIn,
  type TestServer,
  testServers,
} from './testing';

const servers = testServers();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

type Browser = ReturnType<typeof createTestClient>;

/** A Tessera server offering GitHub, at a stand-in for it on 127.0.0.1. */
async function serverWithGithub() {
  const github = await startGithubStandIn({ clientId: 'Iv1.tessera', clientSecret: 'gh-secret' });
  closing.push(github.close);
  const server = await servers.start(
    { GITHUB_CLIENT_ID: 'Iv1.tessera', GITHUB_CLIENT_SECRET: 'gh-secret' },
    { providerEndpoints: { github: github.endpoints } },
  );
  return { github, server };
}

/** The provider's redirect back, followed on Tessera by this browser: where Tessera sends it next. */
async function callback(server: TestServer, browser: Browser, back: URL) {
  const response = await browser.jar.fetch(`${server.url}${back.pathname}${back.search}`, { redirect: 'manual' });
  return response.headers.get('location');
}

/** The browser goes to the provider (which signs in at once) and comes back to Tessera. */
async function roundTrip(server: TestServer, url: string, browser: Browser) {
  const answer = await fetch(url, { redirect: 'manual' });
  const back = new URL(answer.headers.get('location') ?? '');
  expect(back.origin).toBe(server.publicOrigin);
  return { back, location: await callback(server, browser, back) };
}

describe('sign-in with GitHub (OAuth 2.0 and its REST API)', () => {
  const ada: GithubAccount = {
    id: 583231,
    login: 'octo-ada',
    name: 'Ada',
    emails: [
      { email: 'ada@old.example', primary: false, verified: true },
      { email: 'Ada@Example.com', primary: true, verified: true },
    ],
  };

  async function start() {
    const { github, server } = await serverWithGithub();
    const signInWithGithub = async (login: string | { cancel: true }, browser = createTestClient(server.url)) => {
      github.next(login);
      const { url } = await browser.client.auth.social.start.mutate({ provider: 'github' });
      return { browser, url, ...(await roundTrip(server, url, browser)) };
    };
    return { github, server, signInWithGithub };
  }

  it('signs up with the primary verified address, signs in again by the numeric id, and the session is an ordinary one', async () => {
    const { github, server, signInWithGithub } = await start();
    github.accounts.set(ada);
    const first = await signInWithGithub('octo-ada');
    expect(await first.browser.client.auth.social.providers.query()).toEqual([{ provider: 'github', name: 'GitHub' }]);
    const authorization = new URL(first.url);
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${github.endpoints.web}/login/oauth/authorize`);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: 'Iv1.tessera',
      redirect_uri: `${server.publicOrigin}/auth/callback/github`,
      scope: 'read:user user:email',
      response_type: 'code',
      code_challenge_method: 'S256',
    });
    expect(authorization.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    // No token in any URL: the app restores the session with its silent refresh.
    expect(first.location).toBe('/');
    expect(first.browser.jar.get(REFRESH_COOKIE_NAME)).toBeDefined();
    const session = await first.browser.client.auth.refresh.mutate();
    expect(session.user).toMatchObject({ email: 'ada@example.com', emailVerified: true });
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['fed'] });
    first.browser.setAccessToken(session.accessToken);
    expect(await first.browser.client.auth.identities.list.query()).toMatchObject([
      { provider: 'github', displayName: 'octo-ada' },
    ]);

    // Renamed on GitHub, with another primary address: still the same account (the id is the subject).
    github.accounts.set({
      ...ada,
      login: 'ada-renamed',
      emails: [{ email: 'ada@new.example', primary: true, verified: true }],
    });
    const again = await signInWithGithub('ada-renamed');
    expect(again.location).toBe('/');
    const second = await again.browser.client.auth.refresh.mutate();
    expect(second.user.id).toBe(session.user.id);
    again.browser.setAccessToken(second.accessToken);
    const activity = await again.browser.client.auth.activity.list.query();
    expect(activity.filter((event) => event.type === 'signed_in').map((event) => event.method)).toEqual([
      'github',
      'github',
    ]);
  });

  it('claims no address GitHub has not verified as primary, nor an existing account', async () => {
    const { github, server, signInWithGithub } = await start();
    const owner = createTestClient(server.url);
    await owner.client.auth.register.mutate({ email: 'cy@example.com', password: 'a strong password' });
    github.accounts.set({
      id: 1,
      login: 'cy',
      name: null,
      emails: [{ email: 'cy@example.com', primary: true, verified: true }],
    });
    // Verified, but not primary: the primary address is the one GitHub mails, and it is unverified.
    github.accounts.set({
      id: 2,
      login: 'dee',
      name: null,
      emails: [
        { email: 'dee@example.com', primary: true, verified: false },
        { email: 'dee@other.example', primary: false, verified: true },
      ],
    });
    github.accounts.set({ id: 3, login: 'eve', name: null, emails: [] });
    // Cy's own address, unverified at GitHub: it claims nothing.
    github.accounts.set({
      id: 4,
      login: 'mallory',
      name: null,
      emails: [{ email: 'CY@example.com', primary: true, verified: false }],
    });
    expect((await signInWithGithub('mallory')).location).toBe('/sign-in?provider_error=no_verified_email');
    expect((await signInWithGithub('cy')).location).toBe('/sign-in?provider_error=email_taken');
    expect((await signInWithGithub('dee')).location).toBe('/sign-in?provider_error=no_verified_email');
    expect((await signInWithGithub('eve')).location).toBe('/sign-in?provider_error=no_verified_email');
    // Nothing was linked to Cy's account.
    const session = await owner.client.auth.login.mutate({ email: 'cy@example.com', password: 'a strong password' });
    if (!('accessToken' in session)) throw new Error('second step');
    owner.setAccessToken(session.accessToken);
    expect(await owner.client.auth.identities.list.query()).toEqual([]);
  });

  it('lands on the sign-in page with a reason when the user cancels, GitHub is down, or a code comes twice', async () => {
    const { github, server, signInWithGithub } = await start();
    github.accounts.set(ada);
    const cancelled = await signInWithGithub({ cancel: true });
    expect(cancelled.location).toBe('/sign-in?provider_error=cancelled');
    expect(cancelled.browser.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();

    github.setApiDown(true);
    expect((await signInWithGithub('octo-ada')).location).toBe('/sign-in?provider_error=provider');
    github.setApiDown(false);

    // Cancelled from the Account page (a proof asked for by someone signed in): back there, with the reason.
    const signedIn = await signInWithGithub('octo-ada');
    signedIn.browser.setAccessToken((await signedIn.browser.client.auth.refresh.mutate()).accessToken);
    github.next({ cancel: true });
    const proof = await signedIn.browser.client.auth.identities.reauthenticate.mutate({ provider: 'github' });
    expect((await roundTrip(server, proof.url, signedIn.browser)).location).toBe('/account?provider_error=cancelled');

    // A code spent once, presented again under a fresh state of another browser: GitHub refuses it.
    const good = await signInWithGithub('octo-ada');
    expect(good.location).toBe('/');
    const thief = createTestClient(server.url);
    const { url } = await thief.client.auth.social.start.mutate({ provider: 'github' });
    const replayed = new URL(good.back);
    replayed.searchParams.set('state', new URL(url).searchParams.get('state') ?? '');
    expect(await callback(server, thief, replayed)).toBe('/sign-in?provider_error=provider');
    expect(thief.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
  });
});

describe('a request written by an older version', () => {
  it('refuses a sign-in request that names a user (how an older version wrote a link): no session either way', async () => {
    const { github, server } = await serverWithGithub();
    const owner = createTestClient(server.url);
    const { user } = await owner.client.auth.register.mutate({
      email: 'gus@example.com',
      password: 'a strong password',
    });
    github.accounts.set({
      id: 7,
      login: 'gus',
      name: null,
      emails: [{ email: 'gus@example.com', primary: true, verified: true }],
    });
    github.next('gus');
    const browser = createTestClient(server.url);
    const { url } = await browser.client.auth.social.start.mutate({ provider: 'github' });
    await rawSql(server.dbFile, `update oauth_requests set user_id = '${user.id}'`);
    expect((await roundTrip(server, url, browser)).location).toBe('/sign-in?provider_error=state');
    expect(browser.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
  });
});

describe('throttling the provider endpoints', () => {
  it('counts starts and callbacks against the address: past the limit, start answers 429 and the callback a sentence', async () => {
    const { github, server } = await serverWithGithub();
    const browser = createTestClient(server.url);
    // One request started early, answered once the address is over its limit.
    const { url } = await browser.client.auth.social.start.mutate({ provider: 'github' });
    github.accounts.set({
      id: 9,
      login: 'flo',
      name: null,
      emails: [{ email: 'flo@example.com', primary: true, verified: true }],
    });
    github.next('flo');
    const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
    // 100 attempts per address per 15 minutes, starts and callbacks alike (the first start was one).
    for (let i = 1; i < 100; i++) await browser.client.auth.social.start.mutate({ provider: 'github' });
    await expect(browser.client.auth.social.start.mutate({ provider: 'github' })).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    const response = await browser.jar.fetch(`${server.url}${back.pathname}${back.search}`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([303, '/sign-in?provider_error=rate_limited']);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(browser.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
  });
});

describe('sign-in with Google (OpenID Connect at accounts.google.com)', () => {
  it('knows Google’s endpoints (no discovery), signs up with its verified address, and refuses an unverified one', async () => {
    const google = await startOidcStandIn({
      clientId: '1234.apps.googleusercontent.com',
      clientSecret: 'GOCSPX-secret',
      account: { sub: '110169484474386276334', email: 'gil@example.com', email_verified: true, name: 'Gil' },
    });
    closing.push(google.close);
    const server = await servers.start(
      { GOOGLE_CLIENT_ID: '1234.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'GOCSPX-secret' },
      { providerEndpoints: { google: google.endpoints } },
    );
    const browser = createTestClient(server.url);
    expect(await browser.client.auth.social.providers.query()).toEqual([{ provider: 'google', name: 'Google' }]);
    const { url } = await browser.client.auth.social.start.mutate({ provider: 'google' });
    const authorization = new URL(url);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: '1234.apps.googleusercontent.com',
      redirect_uri: `${server.publicOrigin}/auth/callback/google`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(authorization.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect((await roundTrip(server, url, browser)).location).toBe('/');
    const session = await browser.client.auth.refresh.mutate();
    expect(session.user).toMatchObject({ email: 'gil@example.com', emailVerified: true });
    browser.setAccessToken(session.accessToken);
    expect(await browser.client.auth.identities.list.query()).toMatchObject([
      { provider: 'google', displayName: 'Gil' },
    ]);

    google.signInAs({ sub: '2', email: 'hal@example.com', email_verified: false });
    const unverified = createTestClient(server.url);
    const start = await unverified.client.auth.social.start.mutate({ provider: 'google' });
    expect((await roundTrip(server, start.url, unverified)).location).toBe('/sign-in?provider_error=no_verified_email');
    // Google's endpoints are known: its discovery document was never needed.
    expect(google.discoveries()).toBe(0);
  });

  it('starts at GitHub’s and Google’s real addresses with nothing fetched first (no network needed to leave)', async () => {
    const server = await servers.start({
      GITHUB_CLIENT_ID: 'Iv1.tessera',
      GITHUB_CLIENT_SECRET: 'gh-secret',
      GOOGLE_CLIENT_ID: '1234.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'GOCSPX-secret',
    });
    const browser = createTestClient(server.url);
    expect(await browser.client.auth.social.providers.query()).toEqual([
      { provider: 'github', name: 'GitHub' },
      { provider: 'google', name: 'Google' },
    ]);
    const github = new URL((await browser.client.auth.social.start.mutate({ provider: 'github' })).url);
    expect(`${github.origin}${github.pathname}`).toBe('https://github.com/login/oauth/authorize');
    expect(github.searchParams.get('redirect_uri')).toBe(`${server.publicOrigin}/auth/callback/github`);
    const google = new URL((await browser.client.auth.social.start.mutate({ provider: 'google' })).url);
    expect(`${google.origin}${google.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(google.searchParams)).toMatchObject({
      client_id: '1234.apps.googleusercontent.com',
      redirect_uri: `${server.publicOrigin}/auth/callback/google`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
  });

  it('is not offered, nor startable, without its variables', async () => {
    const server = await servers.start();
    const browser = createTestClient(server.url);
    expect(await browser.client.auth.social.providers.query()).toEqual([]);
    await expect(browser.client.auth.social.start.mutate({ provider: 'google' })).rejects.toMatchObject({
      data: { code: 'SERVICE_UNAVAILABLE' },
    });
  });
});
