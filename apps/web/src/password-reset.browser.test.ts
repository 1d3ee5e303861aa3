/**
 * "Forgot password?" end to end in Chromium (issue 13): the mail reaches a real SMTP server, its
 * link opens the reset page, and the new password signs the browser in.
 */
import { mkdirSync } from 'node:fs';
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, signIn } from './testing/app-driver';
import { type AppUnderTest, startAppAndBrowser } from './testing/browser';

let sink: SmtpSink;
let app: AppUnderTest;
beforeEach(async () => {
  sink = await startSmtpSink();
  app = await startAppAndBrowser({ env: { SMTP_URL: sink.url } });
});
afterEach(async () => {
  await app.dispose();
  await sink.close();
});

/** Where a test may leave screenshots to look at (kept out of the repository). */
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;

describe('a forgotten password in Chromium', () => {
  it('"Forgot password?" → mail → link → "Set new password" → signed in, with the token gone from the address bar', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await createAccount(page, origin, 'ada@example.com');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('link', { name: 'Forgot password?' }).click();

    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/check-your-email.png` });
    }

    const [, mail] = await sink.waitFor(2);
    expect(mail?.subject).toBe('Reset your password');
    const link = /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(mail?.text ?? '')?.[0];
    expect(link?.startsWith(`${origin}/reset-password#token=`)).toBe(true);

    await page.goto(link ?? '');
    await page.getByLabel('New password', { exact: true }).waitFor();
    expect(page.url()).toBe(`${origin}/reset-password`);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/reset-password.png` });
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('ada@example.com').first().waitFor();
    expect(page.url()).toBe(`${origin}/`);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/signed-in-after-reset.png` });

    // The link worked once: opened again, it says so and offers a new one.
    await page.goto(link ?? '');
    await page.getByLabel('New password', { exact: true }).fill('yet another password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('This reset link was already used.').waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  it('signs in with the new password after a reset, not the old one', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await createAccount(page, origin, 'grace@example.com');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const [, mail] = await sink.waitFor(2);
    const link = /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(mail?.text ?? '')?.[0] ?? '';
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('grace@example.com').first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await signIn(page, 'grace@example.com');
    await page.getByText('Email or password is incorrect.').waitFor();
    await signIn(page, 'grace@example.com', 'a brand new password');
    await page.getByText('grace@example.com').first().waitFor();
  });
});
