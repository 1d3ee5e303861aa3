/**
 * Issue 24: signing up and in through an OpenID Connect provider in Chromium, against a real
 * provider (`oidc-provider`) on 127.0.0.1 with its own sign-in pages: the browser goes there and
 * back by navigation, and the app restores the session with its silent refresh.
 */
import { startOidcProvider, type TestOidcProvider } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppUnderTest, startAppAndBrowser } from './testing/browser';
import { screenshot } from './testing/page-tools';

let app: AppUnderTest | null = null;
let provider: TestOidcProvider | null = null;
afterEach(async () => {
  await app?.dispose();
  await provider?.close();
  app = null;
  provider = null;
});

/** The provider's own pages, as a person goes through them: sign in as `subject`, then consent. */
async function atProvider(page: Page, origin: string, subject: string) {
  for (let step = 0; step < 4 && !page.url().startsWith(origin); step++) {
    const login = page.locator('input[name="login"]');
    if (await login.count()) {
      await login.fill(subject);
      await page.locator('input[name="password"]').fill('any password');
    }
    await page.locator('button[type="submit"]').first().click();
    await page.waitForLoadState('load');
  }
}

describe('sign-in through an OpenID Connect provider in Chromium', () => {
  it('signs up with "Continue with <OIDC_NAME>", stays signed in on reload, and signs in again', async () => {
    let origin = '';
    provider = await startOidcProvider(() => origin);
    provider.accounts.set('ada-sub', { sub: 'ada-sub', email: 'ada@example.com', email_verified: true, name: 'Ada' });
    app = await startAppAndBrowser({
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_NAME: 'Example ID',
      },
    });
    origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();

    await page.goto(`${origin}/sign-in`);
    const button = page.getByRole('button', { name: 'Continue with Example ID' });
    await button.waitFor();
    await screenshot(page, 'sign-in-with-provider');
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(provider?.issuer ?? ''));
    await atProvider(page, origin, 'ada-sub');
    await page.waitForURL(`${origin}/`);
    await page.getByText('ada@example.com').first().waitFor();
    // Nothing of the exchange is left in the address bar.
    expect(page.url()).toBe(`${origin}/`);
    await page.reload();
    await page.getByText('ada@example.com').first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('list', { name: 'Connected accounts' }).getByText('Example ID · Ada').waitFor();
    await screenshot(page, 'account-connected-accounts');
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Continue with Example ID' }).click();
    await page.waitForURL((url) => url.href.startsWith(provider?.issuer ?? '') || url.href === `${origin}/`);
    await atProvider(page, origin, 'ada-sub');
    await page.waitForURL(`${origin}/`);
    await page.getByText('ada@example.com').first().waitFor();
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('Signed in with your identity provider').first().waitFor();
  });

  it('says in one sentence why an address that has an account is not signed in by the provider', async () => {
    let origin = '';
    provider = await startOidcProvider(() => origin);
    app = await startAppAndBrowser({
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
      },
    });
    origin = app.server.publicOrigin;
    provider.accounts.set('bo-sub', { sub: 'bo-sub', email: 'bo@example.com', email_verified: true });
    const page = await app.browser.context.newPage();
    await page.goto(`${origin}/sign-up`);
    await page.getByLabel('Email').fill('bo@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('bo@example.com').first().waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.getByRole('button', { name: 'Continue with OpenID Connect' }).click();
    await page.waitForURL((url) => url.href.startsWith(provider?.issuer ?? ''));
    await atProvider(page, origin, 'bo-sub');
    await page.getByText(/^An account with this email already exists\./).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await screenshot(page, 'sign-in-provider-email-taken');
  });
});
