/**
 * "Forgot password?" end to end in Chromium (issue 13): the mail reaches a real SMTP server, its
 * link opens the reset page, and the new password signs the browser in.
 */
import { mkdirSync } from 'node:fs';
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { rawSql } from '@tessera/server/testing';
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

  /** @see issue 20, findings 2 and 3: after a reset, the owner sees the passkeys, and what went. */
  it('lands on the Account page after a reset when passkeys are in play: what was removed, or "Remove all passkeys"', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await createAccount(page, origin, 'ada@example.com');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    // A passkey someone added: kept by a reset once the address is proved, removed by the first proof.
    const addPasskey = (id: string) =>
      rawSql(
        app.server.dbFile,
        `insert into passkeys (id, user_id, credential_id, public_key, counter, device_type, backed_up, name, created_at)
         select '${id}', id, 'credential-${id}', 'key', 0, 'singleDevice', false, 'Laptop', 1 from users`,
      );
    const reset = async (newPassword: string, mails: number) => {
      await page.goto(`${origin}/forgot-password`);
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      // The newest link: a reset's notice ("Your password was reset") comes after its link.
      const texts = (await sink.waitFor(mails)).map((mail) => mail.text ?? '').reverse();
      const links = texts.map((text) => /https?:\/\/\S+\/reset-password#token=[\w-]+/.exec(text)?.[0]);
      const link = links.find((found) => found !== undefined) ?? '';
      await page.goto(link);
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByRole('button', { name: 'Set new password' }).click();
    };

    await addPasskey('a2b0c0d0-0000-4000-8000-000000000001');
    await reset('a brand new password', 2);
    await page
      .getByText(
        'Your new password is set. The passkey added before you confirmed your address was removed: anyone could have added it.',
      )
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    await page.getByText('You have no passkeys yet.').waitFor();

    await addPasskey('a2b0c0d0-0000-4000-8000-000000000002');
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('link', { name: 'Forgot password?' }).waitFor();
    // Verification, the first link, the first reset's notice, and this link.
    await reset('another new password', 4);
    await page
      .getByText('Your new password is set. Check the passkeys below: remove any you do not recognise.')
      .waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/after-reset-passkeys.png`, fullPage: true });
    await page.getByRole('button', { name: 'Remove all passkeys' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove all passkeys' }).click();
    await page.getByText('Your passkey was removed. It can no longer sign in.').waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
  });
});
