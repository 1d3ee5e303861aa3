import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@tessera/server/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount } from './testing/app-driver';
import { launchBrowser, type TestBrowser } from './testing/browser';

const webRoot = fileURLToPath(new URL('../dist', import.meta.url));

let server: TestServer;
let browser: TestBrowser;
beforeEach(async () => {
  server = await startTestServer({ webRoot, browserOrigin: true });
  browser = await launchBrowser();
});
afterEach(async () => {
  await browser.close();
  await server.dispose();
});

describe('notes on the home page', () => {
  it('adds, edits and deletes a note, and keeps it across a reload', async () => {
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'notes@example.com');
    await page.getByText('No notes yet.').waitFor();

    await page.getByLabel('Title').fill('Groceries');
    await page.getByLabel('Body').fill('eggs');
    await page.getByRole('button', { name: 'Add note' }).click();
    const list = page.getByRole('list', { name: 'Notes' });
    await list.getByText('Groceries').waitFor();

    await page.reload();
    await list.getByText('eggs').waitFor();

    await page.getByRole('button', { name: 'Edit Groceries' }).click();
    await list.getByLabel('Body').fill('eggs, milk');
    await list.getByRole('button', { name: 'Save' }).click();
    await list.getByText('eggs, milk').waitFor();

    await page.getByRole('button', { name: 'Delete Groceries' }).click();
    await page.getByText('No notes yet.').waitFor();
    await expect(list.count()).resolves.toBe(0);
  });
});
