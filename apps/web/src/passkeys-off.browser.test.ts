/**
 * A server whose PUBLIC_ORIGIN is an IP address cannot take passkeys (an IP cannot be a WebAuthn
 * relying party ID): its pages say so by offering none (issue 26), rather than a button that is
 * only refused.
 */
import { describe, expect, it } from 'vitest';
import { createAccount } from './testing/app-driver';
import { appForEachTest } from './testing/browser';

const app = appForEachTest({ browserHost: '127.0.0.1' });

describe('passkeys on a server at an IP address', () => {
  it('are not offered on the sign-in page or the Account page, which says why', async () => {
    const { server, browser } = app();
    expect(server.publicOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await browser.context.newPage();
    const availability = page.waitForResponse((response) => response.url().includes('auth.passkeys.available'));
    await page.goto(`${server.publicOrigin}/sign-in`);
    await availability;
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('Email').getAttribute('autocomplete')).resolves.toBe('username');

    await createAccount(page, server.publicOrigin, 'ip@example.com');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByText('This server does not take passkeys at its address.').waitFor();
    await expect(page.getByRole('button', { name: 'Add a passkey' }).count()).resolves.toBe(0);
  });
});
