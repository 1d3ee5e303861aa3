import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { callProcedure, registerUser } from '@tessera/server/testing';
import { describe, expect, it } from 'vitest';
import { createAccount, signIn } from './testing/app-driver';
import { appForEachTest } from './testing/browser';

const SET_USER_ROLE_JS = fileURLToPath(new URL('../../server/dist/set-user-role.js', import.meta.url));

const app = appForEachTest();

describe('the Admin page', () => {
  it('is hidden from users, shown to an admin, and ends another account’s sessions', async () => {
    const { server, browser } = app();
    const otherUser = await registerUser(server.url, 'other@example.com');
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'boss@example.com');
    await expect(page.getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    await page.goto(`${server.publicOrigin}/admin`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();

    // `npm run user:role -- boss@example.com admin`: their sessions end, so they sign in again.
    const granted = spawnSync(process.execPath, [SET_USER_ROLE_JS, 'boss@example.com', 'admin'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: server.dbFile },
    });
    expect(granted.status).toBe(0);
    await page.goto(`${server.publicOrigin}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signIn(page, 'boss@example.com');
    await page.getByRole('link', { name: 'Admin' }).click();

    const accounts = page.getByRole('list', { name: 'Accounts' });
    const other = accounts.getByRole('listitem').filter({ hasText: 'other@example.com' });
    await other.getByText('1 session').waitFor();
    await page.getByRole('button', { name: 'Revoke sessions of other@example.com' }).click();
    const dialog = page.getByRole('dialog', { name: 'End every session of this account?' });
    await expect(dialog.textContent()).resolves.toContain('other@example.com will be signed out on their one device');
    await dialog.getByRole('button', { name: 'End sessions' }).click();
    await other.getByText('0 sessions').waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Every session of other@example.com was ended.');
    const refused = await callProcedure(server.url, 'auth.me', {
      method: 'GET',
      headers: { authorization: `Bearer ${otherUser.accessToken}` },
    });
    expect(refused).toMatchObject({ status: 401, reason: 'SESSION_REVOKED' });
  });
});
