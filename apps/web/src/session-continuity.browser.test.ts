import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRefreshes, createAccount, signIn, signInFormSeen, watchForSignInForm } from './testing/app-driver';
import { launchBrowser, type TestBrowser } from './testing/browser';

const webRoot = fileURLToPath(new URL('../dist', import.meta.url));

let server: TestServer;
let browser: TestBrowser;
afterEach(async () => {
  await browser?.close();
  await server?.dispose();
});

async function setUp(env: Record<string, string> = {}): Promise<void> {
  server = await startTestServer({ webRoot, browserOrigin: true, env });
  browser = await launchBrowser();
}

/** A second tab of the same browser, already on the app. */
async function openTab(): Promise<Page> {
  const page = await browser.context.newPage();
  await watchForSignInForm(page);
  await page.goto(`${server.publicOrigin}/`);
  return page;
}

/** Goes to the sessions page and back home, checking each view shows the user's data. */
async function clickAround(page: Page, email: string): Promise<void> {
  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.getByText('This device').waitFor();
  await page.getByRole('link', { name: 'Home' }).click();
  await page.getByText(email).waitFor();
}

describe('sessions across tabs', () => {
  beforeEach(() => setUp());

  it('keeps two tabs signed in when both reload at the same moment', async () => {
    const first = await browser.context.newPage();
    await createAccount(first, server.publicOrigin, 'twotabs@example.com');
    const second = await openTab();
    await second.getByText('twotabs@example.com').waitFor();
    await watchForSignInForm(first);

    await Promise.all([first.reload(), second.reload()]);
    await Promise.all([first, second].map((page) => page.getByText('twotabs@example.com').waitFor()));
    expect(await signInFormSeen(first)).toBe(false);
    expect(await signInFormSeen(second)).toBe(false);

    // Neither reload revoked the session: a third load still restores it.
    await first.reload();
    await first.getByText('twotabs@example.com').waitFor();
    expect(await signInFormSeen(first)).toBe(false);
  });

  it('signs every tab out within a second, and signs them in again together', async () => {
    const first = await browser.context.newPage();
    await createAccount(first, server.publicOrigin, 'everywhere@example.com');
    const second = await openTab();
    await second.getByText('everywhere@example.com').waitFor();

    await first.getByRole('button', { name: 'Sign out' }).click();
    await second.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 1_000 });

    await signIn(first, 'everywhere@example.com');
    await second.getByText('everywhere@example.com').waitFor({ timeout: 20_000 });
  });
});

describe('changing the password', () => {
  beforeEach(() => setUp());

  it('keeps both tabs signed in, signs other browsers out, and only the new password works afterwards', async () => {
    const first = await browser.context.newPage();
    await createAccount(first, server.publicOrigin, 'rotate@example.com');
    const second = await openTab();
    await second.getByText('rotate@example.com').waitFor();
    const elsewhere = await launchBrowser();
    try {
      const other = await elsewhere.context.newPage();
      await other.goto(`${server.publicOrigin}/sign-in`);
      await signIn(other, 'rotate@example.com');
      await other.getByText('rotate@example.com').waitFor();

      await first.getByRole('link', { name: 'Account' }).click();
      await first.getByLabel('Current password').fill('a strong password');
      await first.getByLabel('New password').fill('an even stronger one');
      await first.getByRole('button', { name: 'Change password' }).click();
      await first.getByText('Password changed.').waitFor();

      // The other browser's session ended: its next reload lands on the sign-in page.
      await other.reload();
      await other.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      // This browser's tabs carry on with the fresh session, through a reload too.
      await second.reload();
      await second.getByText('rotate@example.com').waitFor();
      expect(await signInFormSeen(second)).toBe(false);

      await signIn(other, 'rotate@example.com');
      await expect(other.getByRole('alert').textContent()).resolves.toMatch(/incorrect/i);
      await signIn(other, 'rotate@example.com', 'an even stronger one');
      await other.getByText('rotate@example.com').waitFor();
    } finally {
      await elsewhere.close();
    }
  });
});

describe('with two-second access tokens', () => {
  beforeEach(() => setUp({ ACCESS_TOKEN_TTL: '2' }));

  it('lets a user click through several expiries without ever seeing the sign-in page', async () => {
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'busy@example.com');
    await watchForSignInForm(page);
    await page.reload();
    const refreshes = countRefreshes(page);

    while (refreshes.ok < 5) await clickAround(page, 'busy@example.com');
    expect(refreshes.failed).toBe(0);
    expect(await signInFormSeen(page)).toBe(false);
  });

  it('does not sign the user out when the network drops for a few seconds', async () => {
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'offline@example.com');
    await watchForSignInForm(page);
    await page.reload();
    await page.getByText('offline@example.com').waitFor();
    const refreshes = countRefreshes(page);

    await browser.context.setOffline(true);
    // Offline long enough for the token to expire and background refreshes to fail.
    await expect.poll(() => refreshes.failed, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    await browser.context.setOffline(false);

    await clickAround(page, 'offline@example.com');
    expect(await signInFormSeen(page)).toBe(false);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
  });
});
