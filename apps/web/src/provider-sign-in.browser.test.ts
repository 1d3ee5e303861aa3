/**
 * Issue 24: signing up and in through an OpenID Connect provider in Chromium, against a real
 * provider (`oidc-provider`) on 127.0.0.1 with its own sign-in pages: the browser goes there and
 * back by navigation, and the app restores the session with its silent refresh. Also: connecting
 * the provider to an existing account after a fresh proof, disconnecting it, proving it is you
 * through the provider, and two-step verification after the provider.
 */
import { rawSql, startOidcProvider, type TestOidcProvider } from '@tessera/server/testing';
import { Secret, TOTP } from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppUnderTest, startAppAndBrowser } from './testing/browser';
import { screenshot } from './testing/page-tools';

// What the test started, stopped after it.
let openApp: AppUnderTest | null = null;
let openProvider: TestOidcProvider | null = null;
afterEach(async () => {
  await openApp?.dispose();
  await openProvider?.close();
  openApp = null;
  openProvider = null;
});

/**
 * After a click that leaves for the provider: its own pages as a person goes through them (sign
 * in as `subject`, then consent) when it asks (one that remembers this browser asks nothing and
 * sends it straight back), until the app shows `arrived`.
 */
async function throughProvider(page: Page, issuer: string, subject: string, arrived: Locator) {
  const atProvider = () => page.url().startsWith(issuer);
  await expect.poll(async () => atProvider() || (await arrived.isVisible()), { timeout: 30_000 }).toBe(true);
  for (let step = 0; step < 4 && atProvider(); step++) {
    const login = page.locator('input[name="login"]');
    if (await login.count()) {
      await login.fill(subject);
      await page.locator('input[name="password"]').fill('any password');
    }
    await page.locator('button[type="submit"]').first().click();
    await page.waitForLoadState('load');
  }
  await arrived.waitFor();
}

/** The app offering a real OpenID Connect provider (each knowing the other), and a page. */
async function startWithProvider(env: Record<string, string> = {}) {
  let origin = '';
  const started = await startOidcProvider(() => origin);
  openProvider = started;
  const running = await startAppAndBrowser({
    env: {
      OIDC_ISSUER: started.issuer,
      OIDC_CLIENT_ID: started.clientId,
      OIDC_CLIENT_SECRET: started.clientSecret,
      ...env,
    },
  });
  openApp = running;
  origin = running.server.publicOrigin;
  return { app: running, provider: started, origin, page: await running.browser.context.newPage() };
}

describe('sign-in through an OpenID Connect provider in Chromium', () => {
  it('signs up with "Continue with <OIDC_NAME>", stays signed in on reload, and signs in again', async () => {
    const { provider, origin, page } = await startWithProvider({ OIDC_NAME: 'Example ID' });
    provider.accounts.set('ada-sub', { sub: 'ada-sub', email: 'ada@example.com', email_verified: true, name: 'Ada' });

    await page.goto(`${origin}/sign-in`);
    const button = page.getByRole('button', { name: 'Continue with Example ID' });
    await button.waitFor();
    await screenshot(page, 'sign-in-with-provider');
    await button.click();
    await throughProvider(page, provider.issuer, 'ada-sub', page.getByText('ada@example.com').first());
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
    await throughProvider(page, provider.issuer, 'ada-sub', page.getByText('ada@example.com').first());
    expect(page.url()).toBe(`${origin}/`);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('Signed in with your identity provider').first().waitFor();
  });

  it('says in one sentence why an address that has an account is not signed in by the provider', async () => {
    const { app, provider, origin, page } = await startWithProvider();
    provider.accounts.set('bo-sub', { sub: 'bo-sub', email: 'bo@example.com', email_verified: true });
    await page.goto(`${origin}/sign-up`);
    await page.getByLabel('Email').fill('bo@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('bo@example.com').first().waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.getByRole('button', { name: 'Continue with OpenID Connect' }).click();
    await throughProvider(
      page,
      provider.issuer,
      'bo-sub',
      page.getByText(/^An account with this email already exists\./),
    );
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await screenshot(page, 'sign-in-provider-email-taken');

    // As the sentence says: sign in with the password, then connect the provider, after a fresh
    // proof (the sign-in has aged) in the dialog, which then goes on to the provider.
    await page.getByLabel('Email').fill('bo@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await rawSql(app.server.dbFile, 'update sessions set auth_time = 1');
    await page.reload();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Connect OpenID Connect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.getByLabel('Your password').fill('a strong password');
    await dialog.getByRole('button', { name: 'Confirm', exact: true }).click();
    const connected = page.getByRole('list', { name: 'Connected accounts' });
    await throughProvider(page, provider.issuer, 'bo-sub', connected.getByText('OpenID Connect · bo@example.com'));
    expect(page.url()).toBe(`${origin}/account`);

    // Disconnect, asked first; Bo keeps the password.
    await page.getByRole('button', { name: 'Disconnect OpenID Connect' }).click();
    await page
      .getByRole('dialog', { name: 'Disconnect OpenID Connect?' })
      .getByRole('button', { name: 'Disconnect' })
      .click();
    await page.getByText('OpenID Connect is disconnected. It no longer signs in to your account.').waitFor();
    expect(await connected.count()).toBe(0);
  });

  it('proves it is you through the provider, then asks for the second step after it once two-step verification is on', async () => {
    const { app, provider, origin, page } = await startWithProvider({ OIDC_NAME: 'Example ID' });
    provider.accounts.set('cy-sub', { sub: 'cy-sub', email: 'cy@example.com', email_verified: true, name: 'Cy' });
    const continueWithProvider = async (arrived: Locator) => {
      await page.getByRole('button', { name: 'Continue with Example ID' }).click();
      await throughProvider(page, provider.issuer, 'cy-sub', arrived);
    };
    await page.goto(`${origin}/sign-up`);
    await continueWithProvider(page.getByRole('button', { name: 'Sign out', exact: true }));

    // Cy has no password: once the sign-in has aged, the provider is how Cy proves it.
    await rawSql(app.server.dbFile, 'update sessions set auth_time = 1');
    await page.reload();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.getByRole('button', { name: 'Confirm with Example ID' }).waitFor();
    // No password to ask for: no field for one, and the focus is on what the dialog offers.
    expect(await dialog.getByLabel('Your password').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm with Example ID');
    await screenshot(page, 'reauth-with-provider');
    await dialog.getByRole('button', { name: 'Confirm with Example ID' }).click();
    await throughProvider(page, provider.issuer, 'cy-sub', page.getByText(/^Confirmed with Example ID\./));
    // The notice is said once: the address is the Account page's own again.
    await expect.poll(() => page.url()).toBe(`${origin}/account`);

    // Fresh now, Cy also gives the account a password.
    await page.getByRole('heading', { name: 'Set a password' }).waitFor();
    await page.getByLabel('New password').fill('a strong password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText(/^Password set\. You can now also sign in with your email address/).waitFor();
    await page.getByLabel('Current password').waitFor();
    await screenshot(page, 'account-password-set');

    // The change goes through too: two-step verification, set up from the page.
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secret = ((await page.locator('.secret-key').textContent()) ?? '').replace(/\s/g, '');
    const codeAt = (steps: number) =>
      new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + steps * 30_000 });
    await page.getByLabel('Code from your authenticator app').fill(codeAt(-1));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('10 recovery codes left.').waitFor();

    // Signing in through the provider now asks for the code, on the sign-in page.
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    const codeField = page.getByLabel('Code from your authenticator app');
    await continueWithProvider(codeField);
    expect(page.url()).toBe(`${origin}/sign-in?second_step=oidc`);
    await page.getByText('Signing in with Example ID.').waitFor();
    await page.getByRole('link', { name: 'Sign in another way' }).waitFor();
    await screenshot(page, 'second-step-after-provider');
    await codeField.fill(codeAt(0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('Signed in with your identity provider and authenticator code').first().waitFor();
  });
});
