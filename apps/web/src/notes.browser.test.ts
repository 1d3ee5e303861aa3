import { describe, expect, it } from 'vitest';
import { createAccount } from './testing/app-driver';
import { appForEachTest } from './testing/browser';
import { pasteInto } from './testing/page-tools';

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

    // Deleting asks first (issue 26); Cancel keeps the note.
    await page.getByRole('button', { name: 'Delete Groceries' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this note?' });
    await expect(dialog.textContent()).resolves.toContain('“Groceries” will be deleted for good.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(list.getByText('Groceries').isVisible()).resolves.toBe(true);

    await page.getByRole('button', { name: 'Delete Groceries' }).click();
    await dialog.getByRole('button', { name: 'Delete note' }).click();
    await page.getByText('No notes yet.').waitFor();
    await expect(list.count()).resolves.toBe(0);
  });

  /** @see issue 26: a paste longer than a note allows was cut without a word. */
  it('says so when a paste is longer than a note allows', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'paste@example.com');
    const body = page.getByLabel('Body');
    await pasteInto(body, 'x'.repeat(25_000));
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Body can be at most 20000 characters: what you pasted was cut. Check it.',
    );
    await expect(body.getAttribute('aria-invalid')).resolves.toBe('true');
    await body.fill('short again');
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
  });
});
