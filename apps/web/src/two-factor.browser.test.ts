/**
 * Issue 23: two-step verification end to end in Chromium. The secret is read from the page as a
 * person would type it into an app; codes come from `otpauth`, as an authenticator app computes
 * them; the passkey is the browser's own virtual authenticator (DevTools protocol).
 */
import { rawSql } from '@tessera/server/testing';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAccount, signIn, TEST_PASSWORD } from './testing/app-driver';
import { appForEachTest } from './testing/browser';
import { addVirtualAuthenticator, screenshot } from './testing/page-tools';

const app = appForEachTest();

const STEP_MS = 30_000;

/** The code an authenticator app shows for 30-second step `step`. */
const codeForStep = (secret: string, step: number) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: step * STEP_MS });

/**
 * The current step, once it has at least `margin` ms left: the codes of this step, the one before
 * and the one after are then accepted for the whole of what the test does next (a condition).
 */
async function stepWithTimeLeft(margin: number): Promise<number> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 50));
  return Math.floor(Date.now() / STEP_MS);
}

async function signOut(page: Page) {
  if (new URL(page.url()).pathname !== '/') await page.getByRole('link', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
}

describe('two-step verification in Chromium', () => {
  it('enrols from the page, then signs in with a code, a recovery code and a passkey, and turns it off after a fresh proof', async () => {
    const origin = app().server.publicOrigin;
    const page = await app().browser.context.newPage();
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    await createAccount(page, origin, 'ada@example.com');
    await rawSql(app().server.dbFile, `update users set email_verified_at = 1 where email = 'ada@example.com'`);

    // Set up: the QR code, the key as text (read as a person would copy it), then a code.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const qr = page.getByRole('img', { name: /^QR code to add Tessera/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const secret = ((await page.locator('.secret-key').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await screenshot(page, 'two-factor-setup-1280');
    await page.setViewportSize({ width: 380, height: 800 });
    await screenshot(page, 'two-factor-setup-380');
    await page.setViewportSize({ width: 1280, height: 800 });

    const step = await stepWithTimeLeft(10_000);
    const codeField = page.getByLabel('Code from your authenticator app');
    await codeField.fill('12345');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
    await codeField.fill(codeForStep(secret, step - 1));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect.poll(() => codes.count()).toBe(10);
    const recoveryCodes = await codes.allTextContents();
    await page.getByText(/^Two-step verification is on\./).waitFor();
    await screenshot(page, 'two-factor-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('10 recovery codes left.').waitFor();

    // Password, then the code: a one-time-code field with digits on phones.
    await signOut(page);
    await page.setViewportSize({ width: 380, height: 800 });
    await signIn(page, 'ada@example.com');
    const secondStep = page.getByLabel('Code from your authenticator app');
    await secondStep.waitFor();
    expect(await secondStep.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await secondStep.getAttribute('inputmode')).toBe('numeric');
    await screenshot(page, 'two-factor-sign-in-380');
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'two-factor-sign-in-1280');
    await secondStep.fill(codeForStep(secret, step));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // Password, then a recovery code (that one is then spent).
    await signOut(page);
    await signIn(page, 'ada@example.com');
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('Signed in with password and recovery code').first().waitFor();

    // Password, then the passkey instead.
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText(/^Passkey added/).waitFor();
    await signOut(page);
    // Until the password is in, the authenticator does not verify its user: the Email field's
    // passkey suggestions (a sign-in with both factors at once) must not answer for this part.
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await signIn(page, 'ada@example.com');
    await page.getByRole('button', { name: 'Use a passkey instead' }).waitFor();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await page.waitForURL(`${origin}/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // Turning it off after the sign-in has aged: the proof asks for the password and a code.
    await rawSql(app().server.dbFile, 'update sessions set auth_time = 1');
    await page.reload();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByText('9 recovery codes left.').waitFor();
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page
      .getByRole('dialog', { name: 'Turn off two-step verification?' })
      .getByRole('button', { name: 'Turn off' })
      .click();
    const proof = page.getByRole('dialog', { name: 'Confirm it is you' });
    await proof.getByLabel('Your password').fill(TEST_PASSWORD);
    await proof.getByLabel('Code from your authenticator app').fill(codeForStep(secret, step + 1));
    await screenshot(page, 'two-factor-reauth');
    await proof.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Two-step verification is off. Signing in asks for your password only.').waitFor();
    await page.getByRole('button', { name: 'Set up two-step verification' }).waitFor();

    // The password alone signs in now (the passkey kept out of it, as above).
    await signOut(page);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await signIn(page, 'ada@example.com');
    await page.waitForURL(`${origin}/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    expect(await page.getByLabel('Code from your authenticator app').count()).toBe(0);
  });
});
