/**
 * The account's life in Chromium: changing the address (a link to the new one, the way back from
 * the old one), deleting the account from the Account page, and an administrator deleting one
 * from the Admin page. Mail goes through a real SMTP server; the links are read from it.
 */
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { rawSql } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, signIn, signInAsAdmin, TEST_PASSWORD } from './testing/app-driver';
import { type AppUnderTest, launchBrowser, startAppAndBrowser, type TestBrowser } from './testing/browser';
import { mailedLink, mailTo } from './testing/mailbox';
import { screenshot, screenshotOf, scrollsSideways } from './testing/page-tools';

const PHONE = { width: 380, height: 800 };
const DESKTOP = { width: 1280, height: 800 };

let sink: SmtpSink;
let app: AppUnderTest;
/** Other devices a test opens: a browser each, closed after the test. */
const devices: TestBrowser[] = [];
beforeEach(async () => {
  sink = await startSmtpSink();
  app = await startAppAndBrowser({ env: { SMTP_URL: sink.url } });
});
afterEach(async () => {
  await Promise.all(devices.splice(0).map((device) => device.close()));
  await app.dispose();
  await sink.close();
});

/** A browser of its own (another device): its own cookies, its own tabs. */
async function device(): Promise<Page> {
  const browser = await launchBrowser();
  devices.push(browser);
  return browser.context.newPage();
}

/** Signs up `email` in `page` and confirms the address with the mailed link (only a confirmed one is mailed notices). */
async function confirmedAccount(page: Page, email: string): Promise<void> {
  await createAccount(page, app.server.publicOrigin, email);
  await page.goto(await mailedLink(sink, email, 'Confirm your email address', '/verify-email'));
  await page.getByText('Your email address is confirmed.').waitFor();
}

/** Signed in long ago: the next silent refresh brings a token that says so, and changes ask for a proof. */
const ageSignIns = (email: string) =>
  rawSql(
    app.server.dbFile,
    `update sessions set auth_time = 1 where user_id = (select id from users where email = '${email}')`,
  );

/** The proof dialog, answered with the password. */
async function proveItIsMe(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
  await dialog.getByLabel('Your password').fill(TEST_PASSWORD);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

describe('changing the email address', () => {
  it('mails a link to the new address that changes it on a click, and one to the old address that puts it back', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await page.setViewportSize(DESKTOP);
    await confirmedAccount(page, 'ada@example.com');
    // Another device signed in to the account: the change signs it out.
    const laptop = await device();
    await laptop.goto(`${origin}/sign-in`);
    await signIn(laptop, 'ada@example.com');
    await laptop.getByRole('heading', { name: 'Welcome', exact: true, level: 1 }).waitFor();

    await ageSignIns('ada@example.com');
    await page.goto(`${origin}/account`);
    const section = page.getByRole('region', { name: 'Email address' });
    await section.getByText('You sign in with ada@example.com').waitFor();
    await section.getByRole('button', { name: 'Change email' }).click();
    const field = section.getByLabel('New email address');
    await expect.poll(() => field.evaluate((input) => input === document.activeElement)).toBe(true);

    // The address it has already: said at once, on the field.
    await field.fill('ADA@example.com');
    await section.getByRole('button', { name: 'Send confirmation link' }).click();
    await section.getByRole('alert').getByText('That is your address already.').waitFor();
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');

    await field.fill('grace@example.com');
    await section.getByRole('button', { name: 'Send confirmation link' }).click();
    await proveItIsMe(page);
    const sent =
      'We sent a link to grace@example.com. Open it to finish the change. Until then your address stays ada@example.com.';
    await section.getByRole('status').getByText(sent).waitFor();
    await expect(section.getByRole('button', { name: 'Change email' }).isVisible()).resolves.toBe(true);

    // The link, in a second tab of this browser: nothing happens until the click.
    const link = await mailedLink(sink, 'grace@example.com', 'Confirm your new email address', '/confirm-email-change');
    const tab = await page.context().newPage();
    await tab.setViewportSize(DESKTOP);
    await tab.goto(link);
    await tab.getByRole('heading', { name: 'Confirm your new email address', level: 1 }).waitFor();
    expect(tab.url()).toBe(`${origin}/confirm-email-change`);
    const use = tab.getByRole('button', { name: 'Use this address' });
    await expect.poll(() => use.isEnabled()).toBe(true);
    await screenshot(tab, 'confirm-email-change-1280');
    await use.click();
    await tab.getByRole('status').getByText('Your email address is now grace@example.com.').waitFor();
    await expect(tab.getByRole('status').textContent()).resolves.toBe(
      'Your email address is now grace@example.com. Other devices were signed out.',
    );
    await screenshot(tab, 'confirm-email-change-done-1280');

    // This browser stays signed in, with the new address, in both tabs and without a reload: the
    // first tab adopts the refresh the second made, even within the second its own was made in.
    await tab.getByRole('link', { name: 'Go to your notes' }).click();
    await tab.getByRole('heading', { name: 'Welcome', exact: true, level: 1 }).waitFor();
    await expect(tab.getByRole('banner').getByText('grace@example.com').isVisible()).resolves.toBe(true);
    await page.getByRole('banner').getByText('grace@example.com').waitFor();
    await section.getByText('You sign in with grace@example.com').waitFor();
    // The other device is out, and told why, on its next click.
    await laptop.getByRole('link', { name: 'Sessions' }).click();
    await laptop
      .getByText(
        'Your account’s email address was changed, so this device was signed out. Sign in with the new address.',
      )
      .waitFor();

    // The old address is told, with a way back; opened anywhere, it does nothing until the click.
    const undo = await mailedLink(
      sink,
      'ada@example.com',
      'Your account’s email address was changed',
      '/undo-email-change',
    );
    const elsewhere = await device();
    await elsewhere.setViewportSize(PHONE);
    await elsewhere.goto(undo);
    await elsewhere.getByRole('heading', { name: 'Undo the email change', level: 1 }).waitFor();
    await screenshot(elsewhere, 'undo-email-change-380');
    // Opening it changed nothing: this browser's next click is still answered.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { name: 'Sessions', exact: true, level: 1 }).waitFor();
    await elsewhere.getByRole('button', { name: 'Put my address back' }).click();
    await expect(elsewhere.getByRole('status').textContent()).resolves.toBe(
      'Your address is ada@example.com again. Every device was signed out, and passkeys, two-step verification and connected accounts were removed.',
    );
    await expect(elsewhere.getByRole('link', { name: 'Set a new password' }).getAttribute('href')).resolves.toBe(
      '/forgot-password',
    );
    await screenshot(elsewhere, 'undo-email-change-done-380');

    // The browser that made the change is signed out, and told why, on its next click.
    // (Home: its notes are not in this tab's cache yet, so the click asks the server.)
    await nav.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'A change of your email address was undone from the old address, so every device was signed out. Sign in with that address.',
    );
    // The password stays: the old address signs in with it.
    await signIn(page, 'ada@example.com');
    await page.getByRole('heading', { name: 'Welcome', exact: true, level: 1 }).waitFor();
    await expect(page.getByRole('banner').getByText('ada@example.com').isVisible()).resolves.toBe(true);
  });

  it('says why a used link no longer works, and offers no button for it', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await createAccount(page, origin, 'ada@example.com');
    await page.goto(`${origin}/account`);
    await page.getByRole('button', { name: 'Change email' }).click();
    await page.getByLabel('New email address').fill('grace@example.com');
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    const link = await mailedLink(sink, 'grace@example.com', 'Confirm your new email address', '/confirm-email-change');
    await page.goto(link);
    await page.getByRole('button', { name: 'Use this address' }).click();
    await page.getByText('Your email address is now grace@example.com.').waitFor();

    // From another page: to the page's own address, only the fragment would change (no new load).
    await page.goto(`${origin}/account`);
    await page.goto(link);
    await page.getByRole('button', { name: 'Use this address' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'This link was already used: the address was changed.',
    );
    await expect(page.getByRole('button', { name: 'Use this address' }).count()).resolves.toBe(0);
    await screenshot(page, 'confirm-email-change-refused-1280');

    // Opened without its token (a copied address), the page says where the link is.
    await page.goto(`${origin}/undo-email-change`);
    await page
      .getByText('This page opens from the link in the mail that told your old address about the change.')
      .waitFor();
  });
});

describe('deleting an account', () => {
  it('from the Account page: the address typed again arms the button, then every tab is signed out and told why', async () => {
    const origin = app.server.publicOrigin;
    const page = await app.browser.context.newPage();
    await confirmedAccount(page, 'ada@example.com');
    await page.goto(`${origin}/account`);
    const section = page.getByRole('region', { name: 'Delete account' });
    await section.getByRole('button', { name: 'Delete account' }).click();

    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    const typed = dialog.getByLabel('Type your email address to confirm');
    const remove = dialog.getByRole('button', { name: 'Delete my account' });
    await expect.poll(() => typed.evaluate((input) => input === document.activeElement)).toBe(true);
    await expect(remove.isDisabled()).resolves.toBe(true);
    for (const wrong of ['ada@example.co', 'bob@example.com']) {
      await typed.fill(wrong);
      await expect(remove.isDisabled()).resolves.toBe(true);
    }
    // Escape cancels, and focus goes back to the button that opened the dialog.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expect
      .poll(() => section.getByRole('button', { name: 'Delete account' }).evaluate((b) => b === document.activeElement))
      .toBe(true);

    await section.getByRole('button', { name: 'Delete account' }).click();
    await typed.fill(' Ada@Example.com ');
    await expect.poll(() => remove.isEnabled()).toBe(true);
    await remove.click();

    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'Your account was deleted, with everything in it.',
    );
    await mailTo(sink, 'ada@example.com', 'Your account was deleted');

    await signIn(page, 'ada@example.com');
    await page.getByRole('alert').getByText('Email or password is incorrect.').waitFor();
  });

  it('from the Admin page: after a fresh proof the row goes, and that user’s browser is signed out and told why', async () => {
    const { server } = app;
    const admin = await app.browser.context.newPage();
    await admin.setViewportSize(DESKTOP);
    await signInAsAdmin(admin, server, 'boss@example.com');
    const bob = await device();
    await createAccount(bob, server.publicOrigin, 'bob@example.com');

    await ageSignIns('boss@example.com');
    await admin.goto(`${server.publicOrigin}/admin`);
    const accounts = admin.getByRole('list', { name: 'Accounts' });
    const bobsRow = accounts.getByRole('listitem').filter({ hasText: 'bob@example.com' });
    await bobsRow.waitFor();
    await screenshotOf(accounts, 'admin-accounts-1280');
    await admin.getByRole('button', { name: 'Delete bob@example.com' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Delete bob@example.com?' });
    await screenshotOf(dialog, 'admin-delete-dialog-1280');
    await dialog.getByRole('button', { name: 'Delete account' }).click();
    await proveItIsMe(admin);

    await expect(admin.getByRole('status').textContent()).resolves.toBe(
      'bob@example.com was deleted, with everything in it.',
    );
    await expect.poll(() => bobsRow.count()).toBe(0);
    await bob.getByRole('link', { name: 'Sessions' }).click();
    await bob.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(bob.getByRole('status').textContent()).resolves.toBe(
      'Your account was deleted, with everything in it.',
    );

    // The last admin cannot go: the server's sentence is shown, and the row stays.
    await admin.getByRole('button', { name: 'Delete boss@example.com' }).click();
    await admin
      .getByRole('dialog', { name: 'Delete boss@example.com?' })
      .getByRole('button', { name: 'Delete account' })
      .click();
    await admin
      .getByRole('alert')
      .getByText('This is the only admin account, so it cannot be deleted.', { exact: false })
      .waitFor();
    await expect(accounts.getByRole('listitem').filter({ hasText: 'boss@example.com' }).count()).resolves.toBe(1);
  });
});

describe('the Account page’s new sections', () => {
  it('look right at 380 and 1280 px, light and dark (screenshots)', async () => {
    const LONG_EMAIL = 'ada.lovelace-byron@analytical-engine.example.com';
    const page = await app.browser.context.newPage();
    await createAccount(page, app.server.publicOrigin, LONG_EMAIL);
    await page.goto(`${app.server.publicOrigin}/account`);
    const email = page.getByRole('region', { name: 'Email address' });
    const deletion = page.getByRole('region', { name: 'Delete account' });

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const [width, size] of [
        ['1280', DESKTOP],
        ['380', PHONE],
      ] as const) {
        await page.setViewportSize(size);
        await page.reload();
        await email.getByRole('button', { name: 'Change email' }).click();
        await email.getByLabel('New email address').fill(LONG_EMAIL.toUpperCase());
        await email.getByRole('button', { name: 'Send confirmation link' }).click();
        await email.getByRole('alert').waitFor();
        await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
        await expect(scrollsSideways(page)).resolves.toBe(false);
        await screenshotOf(email, `account-email-form-${width}-${colorScheme}`);

        await email.getByLabel('New email address').fill(`grace.hopper-${width}-${colorScheme}@compilers.example.com`);
        await email.getByRole('button', { name: 'Send confirmation link' }).click();
        await email.getByRole('status').waitFor();
        await expect(scrollsSideways(page)).resolves.toBe(false);
        await screenshotOf(email, `account-email-sent-${width}-${colorScheme}`);

        await screenshotOf(deletion, `account-delete-${width}-${colorScheme}`);
        await deletion.getByRole('button', { name: 'Delete account' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
        await dialog.getByLabel('Type your email address to confirm').fill(LONG_EMAIL);
        await screenshotOf(dialog, `account-delete-dialog-${width}-${colorScheme}`);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
      }
    }
  });
});
