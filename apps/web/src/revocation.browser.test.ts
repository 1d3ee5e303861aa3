import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRefreshes, createAccount, signIn } from './testing/app-driver';
import { launchBrowser, type TestBrowser } from './testing/browser';

const webRoot = fileURLToPath(new URL('../dist', import.meta.url));
const EMAIL = 'revoked@example.com';

let server: TestServer;
const browsers: TestBrowser[] = [];
beforeEach(async () => {
  server = await startTestServer({ webRoot, browserOrigin: true });
});
afterEach(async () => {
  await Promise.all(browsers.splice(0).map((browser) => browser.close()));
  await server.dispose();
});

/** A browser of its own (a device): its own cookie jar, its own tabs. */
async function device(): Promise<Page> {
  const browser = await launchBrowser();
  browsers.push(browser);
  return browser.context.newPage();
}

/** Two devices signed in to one account, both on the home page. */
async function twoDevices(): Promise<{ a: Page; b: Page }> {
  const a = await device();
  await createAccount(a, server.publicOrigin, EMAIL);
  const b = await device();
  await b.goto(`${server.publicOrigin}/sign-in`);
  await signIn(b, EMAIL);
  await b.getByText(EMAIL).waitFor();
  return { a, b };
}

describe('a session ended from another device', () => {
  it('"Sign out everywhere" on A sends B to the sign-in page on its next click, with the reason, at once', async () => {
    const { a, b } = await twoDevices();
    const refreshes = countRefreshes(b);

    await a.getByRole('link', { name: 'Sessions' }).click();
    await a.getByRole('button', { name: 'Sign out everywhere' }).click();
    // Asked once, in a modal dialog that names what will happen (issue 10, point 12).
    const dialog = a.getByRole('dialog', { name: 'Sign out everywhere?' });
    // The dialog opens on the click's render: wait for it, then check it says it once.
    await dialog.waitFor();
    await expect(dialog.getByText('Every device signed in to your account').count()).resolves.toBe(1);
    await dialog.getByRole('button', { name: 'Sign out all devices' }).click();
    await a.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(a.getByRole('status').textContent()).resolves.toBe('You signed out on every device.');

    // B's access token has minutes left; its very next call is refused all the same.
    await b.getByRole('link', { name: 'Sessions' }).click();
    await b.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5_000 });
    await expect(b.getByRole('status').textContent()).resolves.toBe(
      'You were signed out on this device from another device.',
    );
    expect(b.url()).toBe(`${server.publicOrigin}/sign-in`);
    expect(refreshes.ok).toBe(0);

    // Signing in again clears the explanation, and takes B where it was going.
    await signIn(b, EMAIL);
    await b.getByRole('heading', { name: 'Sessions' }).waitFor();
    await expect.poll(() => b.getByText('You were signed out on this device from another device.').count()).toBe(0);
  });

  it('revoking B from A’s Sessions page does the same, and both show in the recent activity', async () => {
    const { a, b } = await twoDevices();

    await a.getByRole('link', { name: 'Sessions' }).click();
    const activity = a.getByRole('list', { name: 'Recent activity' });
    await expect.poll(() => activity.getByRole('listitem').count()).toBe(2);

    // Escape, then Cancel: nothing happens, and focus returns to the button that asked.
    const revokeB = a.getByRole('button', { name: /^Revoke / });
    await revokeB.click();
    await a.getByRole('dialog', { name: 'Revoke this session?' }).waitFor();
    await a.keyboard.press('Escape');
    await expect.poll(() => a.getByRole('dialog').count()).toBe(0);
    await expect(revokeB.evaluate((button) => button === document.activeElement)).resolves.toBe(true);
    await revokeB.click();
    await a.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(a.getByRole('list', { name: 'Sessions' }).getByRole('listitem').count()).resolves.toBe(2);

    await revokeB.click();
    const dialog = a.getByRole('dialog', { name: 'Revoke this session?' });
    await expect(dialog.textContent()).resolves.toMatch(/will be signed out at once\./);
    // Focus starts on Cancel: Enter alone never revokes.
    await expect(
      dialog.getByRole('button', { name: 'Cancel' }).evaluate((button) => button === document.activeElement),
    ).resolves.toBe(true);
    await dialog.getByRole('button', { name: 'Revoke session' }).click();
    await activity.getByText('Signed out another device').waitFor();
    await expect(a.getByRole('list', { name: 'Sessions' }).getByRole('listitem').count()).resolves.toBe(1);
    // Then it says what happened, where focus now is.
    const outcome = a.getByRole('status');
    await expect(outcome.textContent()).resolves.toMatch(/ was signed out\.$/);
    await expect.poll(() => outcome.evaluate((element) => element === document.activeElement)).toBe(true);

    await b.getByRole('link', { name: 'Sessions' }).click();
    await b.getByText('You were signed out on this device from another device.').waitFor({ timeout: 20_000 });
    // A reload on B still explains, and still signs nobody in: the cookie's session is over.
    await b.reload();
    await b.getByText('You were signed out on this device from another device.').waitFor();
    await b.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('a revoked device that tries to change its password lands on the sign-in page with the reason, not "wrong password"', async () => {
    const { a, b } = await twoDevices();
    await b.getByRole('link', { name: 'Account' }).click();
    await b.getByLabel('Current password').waitFor();

    await a.getByRole('link', { name: 'Sessions' }).click();
    await a.getByRole('button', { name: /^Revoke / }).click();
    await a.getByRole('dialog').getByRole('button', { name: 'Revoke session' }).click();
    await a.getByRole('list', { name: 'Recent activity' }).getByText('Signed out another device').waitFor();

    await b.getByLabel('Current password').fill('a strong password');
    await b.getByLabel('New password').fill('a new strong password');
    await b.getByRole('button', { name: 'Change password' }).click();
    await b.getByText('You were signed out on this device from another device.').waitFor({ timeout: 20_000 });
    await expect(b.getByText('Your current password is incorrect.').count()).resolves.toBe(0);
  });
});
