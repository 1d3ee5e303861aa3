import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@tessera/server/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, signIn, signInFormSeen, watchForSignInForm } from './testing/app-driver';
import { launchBrowser, type TestBrowser } from './testing/browser';

/** The production build, which turbo makes before the tests run. */
const webRoot = fileURLToPath(new URL('../dist', import.meta.url));

let server: TestServer;
let browser: TestBrowser;
beforeAll(async () => {
  server = await startTestServer({ webRoot, browserOrigin: true });
});
afterAll(async () => {
  await server?.dispose();
});
// A fresh profile per test: no cookie carries over from one test's user to the next.
beforeEach(async () => {
  browser = await launchBrowser();
});
afterEach(async () => {
  await browser?.close();
});

const origin = () => server.publicOrigin;

describe('the SPA in Chromium', () => {
  /** @see issue 10, point 15: an anonymous first visit triggered a 401 from auth.refresh, as a console error. */
  it('makes no failing request on a first visit, and restores after sign-in thanks to the flag cookie', async () => {
    const page = await browser.context.newPage();
    const refreshes: number[] = [];
    const consoleErrors: string[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/trpc/auth.refresh')) refreshes.push(response.status());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    await page.goto(`${origin()}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(refreshes).toEqual([]);
    expect(consoleErrors).toEqual([]);

    await createAccount(page, origin(), 'flag@example.com');
    const flag = (await browser.context.cookies()).find((cookie) => cookie.name === 'tessera_signed_in');
    expect(flag).toMatchObject({ value: '1', httpOnly: false, secure: true, sameSite: 'Strict', path: '/' });
    // A signed-in reload makes one auth call, the refresh: the session carries the user (issue 11).
    const authCalls: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (!pathname.startsWith('/trpc/')) return;
      authCalls.push(
        ...pathname
          .slice('/trpc/'.length)
          .split(',')
          .filter((name) => name.startsWith('auth.')),
      );
    });
    await page.reload();
    await page.getByText('flag@example.com').waitFor();
    await page.waitForLoadState('networkidle');
    expect(refreshes).toEqual([200]);
    expect(authCalls).toEqual(['auth.refresh']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const names = (await browser.context.cookies()).map((cookie) => cookie.name);
    expect(names).not.toContain('tessera_signed_in');
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(refreshes).toEqual([200]);
    expect(consoleErrors).toEqual([]);
  });

  /** @see issue 10, point 7: one uncompressed bundle, the user-agent parser included, for every page. */
  it('sends the sign-in page compressed, without the signed-in pages, which load when visited', async () => {
    const page = await browser.context.newPage();
    const scripts: { path: string; encoding: string; bytes: number }[] = [];
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      const headers = response.headers();
      const [encoding, bytes] = [headers['content-encoding'] ?? 'identity', Number(headers['content-length'])];
      if (pathname.endsWith('.js')) scripts.push({ path: pathname, encoding, bytes });
    });
    const loaded = (name: string) => scripts.some((script) => script.path.startsWith(`/assets/${name}-`));

    await page.goto(`${origin()}/sign-in`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(scripts.length).toBeGreaterThan(0);
    // Only files too small to gain (under 1 KB) go out as they are.
    for (const script of scripts) if (script.encoding === 'identity') expect(script.bytes).toBeLessThan(1024);
    expect(scripts.some((script) => script.encoding === 'br' || script.encoding === 'gzip')).toBe(true);
    for (const name of ['home-page', 'sessions-page', 'account-page', 'admin-page']) expect(loaded(name)).toBe(false);
    const signInScripts = scripts.length;

    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Email').fill('chunks@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('chunks@example.com').waitFor();
    expect(loaded('home-page')).toBe(true);
    expect(loaded('sessions-page')).toBe(false);

    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    expect(loaded('sessions-page')).toBe(true);
    expect(scripts.length).toBeGreaterThan(signInScripts);
  });

  it('creates an account, survives a reload without flashing the sign-in form, and stores no token', async () => {
    const page = await browser.context.newPage();
    await createAccount(page, origin(), 'reload@example.com');

    await watchForSignInForm(page);
    const refreshed = page.waitForResponse((response) => response.url().endsWith('/trpc/auth.refresh'));
    await page.reload();
    const refreshBody = (await (await refreshed).json()) as { result: { data: { accessToken: string } } };
    await page.getByText('reload@example.com').waitFor();
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    expect(await signInFormSeen(page)).toBe(false);

    const stored = await page.evaluate(async () => {
      // IndexedDB holds one thing: the device key DPoP binds the session to (no token).
      const deviceKey = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const open = indexedDB.open('tessera-dpop');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('keys').objectStore('keys').getAll();
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            open.result.close();
            resolve({ records: read.result.length, fields: Object.keys(read.result[0] ?? {}).sort() });
          };
        };
      });
      return {
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
        cookie: document.cookie,
        indexedDb: (await indexedDB.databases()).map((db) => db.name),
        deviceKey,
      };
    });
    const { accessToken } = refreshBody.result.data;
    expect(accessToken.split('.')).toHaveLength(3);
    expect(stored.local).not.toContain(accessToken);
    expect(stored.session).not.toContain(accessToken);
    // Script sees one cookie: the flag that a session may be restored, which holds no secret.
    expect(stored).toEqual({
      local: '{}',
      session: '{}',
      cookie: 'tessera_signed_in=1',
      indexedDb: ['tessera-dpop'],
      deviceKey: { records: 1, fields: ['jkt', 'privateKey', 'publicJwk', 'publicKey'] },
    });
    const cookies = await browser.context.cookies(origin());
    expect(cookies.find((cookie) => cookie.name === '__Secure-tessera_refresh')).toBeUndefined();
    const refreshCookies = await browser.context.cookies(`${origin()}/trpc/auth.refresh`);
    expect(refreshCookies.filter((cookie) => cookie.name !== 'tessera_signed_in')).toEqual([
      expect.objectContaining({ name: '__Secure-tessera_refresh', httpOnly: true, secure: true, sameSite: 'Strict' }),
    ]);
    await page.close();
  });

  it('signs out, then a reload shows the sign-in form, and signing in again works', async () => {
    const page = await browser.context.newPage();
    await createAccount(page, origin(), 'signout@example.com');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    await signIn(page, 'signout@example.com', 'wrong password');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/incorrect|invalid/i);

    await signIn(page, 'signout@example.com');
    await page.getByText('signout@example.com').waitFor();
    await page.close();
  });
});
