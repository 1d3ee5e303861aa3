import { fileURLToPath } from 'node:url';
import {
  createTestClient,
  rawSql,
  registerUser,
  signedInOnly,
  startTestServer,
  type TestServer,
} from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRefreshes, createAccount, signIn, TEST_PASSWORD } from './testing/app-driver';
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
    // What the server says ended it (issue 26): a sign-out everywhere, not just "another device".
    await expect(b.getByRole('status').textContent()).resolves.toBe('You signed out on every device.');
    expect(b.url()).toBe(`${server.publicOrigin}/sign-in`);
    expect(refreshes.ok).toBe(0);

    // Signing in again clears the explanation, and takes B where it was going.
    await signIn(b, EMAIL);
    await b.getByRole('heading', { name: 'Sessions' }).waitFor();
    await expect.poll(() => b.getByText('You signed out on every device.').count()).toBe(0);
  });

  /** @see issue 26: the sign-in page said "signed out from another device" whatever had happened. */
  it('says an administrator ended the sessions, on the next click and after a reload', async () => {
    const page = await device();
    await createAccount(page, server.publicOrigin, EMAIL);
    await registerUser(server.url, 'boss@example.com');
    await rawSql(server.dbFile, `update users set role = 'admin' where email = 'boss@example.com'`);
    const boss = createTestClient(server.url);
    const login = await boss.client.auth.login.mutate({ email: 'boss@example.com', password: TEST_PASSWORD });
    boss.setAccessToken(signedInOnly(login).accessToken);
    const accounts = await boss.client.admin.users.list.query({});
    const userId = accounts.items.find((account) => account.email === EMAIL)?.id ?? 'missing';
    await boss.client.admin.users.revokeSessions.mutate({ userId });

    const said = 'An administrator ended your sessions. Sign in again to continue.';
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText(said).waitFor({ timeout: 20_000 });
    await page.reload();
    await page.getByText(said).waitFor();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
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
