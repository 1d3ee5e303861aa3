import { describe, expect, it } from 'vitest';
import { createAccount } from './testing/app-driver';
import { appForEachTest } from './testing/browser';

const app = appForEachTest();

describe('notes on the home page', () => {
  it('adds, edits and deletes a note, and keeps it across a reload', async () => {
    const { server, browser } = app();
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
