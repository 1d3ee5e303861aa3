/**
 * The account's data in Chromium (issue 26): "Download my data" on the Account page asks for a
 * fresh proof when the sign-in is old, then saves one JSON file with the account and its notes,
 * and no secret.
 */
import { readFileSync } from 'node:fs';
import { rawSql } from '@tessera/server/testing';
import { describe, expect, it } from 'vitest';
import { createAccount, TEST_PASSWORD } from './testing/app-driver';
import { appForEachTest } from './testing/browser';
import { screenshot } from './testing/page-tools';

const app = appForEachTest();

describe('Download my data', () => {
  it('asks who it is when the sign-in is old, then saves the account and its notes as one JSON file', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'ada@example.com');
    await page.getByLabel('Title').fill('Groceries');
    await page.getByLabel('Body').fill('eggs, milk');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('eggs, milk').waitFor();
    // Signed in long ago: the reload's silent refresh brings a token that says so.
    await rawSql(server.dbFile, 'update sessions set auth_time = 1');
    await page.goto(`${server.publicOrigin}/account`);
    await page.getByRole('heading', { name: 'Your data' }).waitFor();

    await page.getByRole('button', { name: 'Download my data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.getByLabel('Your password').fill(TEST_PASSWORD);
    const saved = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const download = await saved;
    expect(download.suggestedFilename()).toMatch(/^tessera-data-\d{4}-\d\d-\d\d\.json$/);
    const text = readFileSync(await download.path(), 'utf8');
    const data = JSON.parse(text) as {
      format: string;
      account: { email: string };
      features: { notes: { notes: { title: string; body: string }[] } };
    };
    expect(data.format).toBe('tessera-export/1');
    expect(data.account.email).toBe('ada@example.com');
    expect(data.features.notes.notes).toMatchObject([{ title: 'Groceries', body: 'eggs, milk' }]);
    expect(text).not.toContain(TEST_PASSWORD);
    await page.getByText('Your data was downloaded.').waitFor();
    await screenshot(page, 'account-data-downloaded');
  });
});
