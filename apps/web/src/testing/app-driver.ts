import { spawnSync } from 'node:child_process';
import { SET_USER_ROLE_JS, type TestServer } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** What every test account uses; the email varies. */
export const TEST_PASSWORD = 'a strong password';

/**
 * Records, from before any script of the page runs, whether a sign-in form ever reached the DOM:
 * a flash that lasts one frame still counts. Read it with {@link signInFormSeen}.
 *
 * @example
 * await watchForSignInForm(page);
 * await page.reload();
 * expect(await signInFormSeen(page)).toBe(false);
 */
export async function watchForSignInForm(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = window as unknown as { signInFormSeen: boolean };
    state.signInFormSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('input[type="password"]')) state.signInFormSeen = true;
    }).observe(document, { childList: true, subtree: true });
  });
}

export function signInFormSeen(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { signInFormSeen: boolean }).signInFormSeen);
}

/**
 * Creates an account through the UI, starting from the app's front door, and waits for home.
 *
 * @example
 * await createAccount(page, origin, 'ada@example.com');
 */
export async function createAccount(page: Page, origin: string, email: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The home page's heading: the email in the header is folded into the menu on a phone.
  await page.getByRole('heading', { name: /^Welcome(, .*)?$/, level: 1 }).waitFor();
}

/** Signs in through the sign-in page, which must be showing. */
export async function signIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Counts the page's answered `auth.refresh` calls, by status. */
export function countRefreshes(page: Page): { ok: number; failed: number } {
  const counts = { ok: 0, failed: 0 };
  page.on('response', (response) => {
    if (!response.url().includes('/trpc/auth.refresh')) return;
    if (response.ok()) counts.ok++;
    else counts.failed++;
  });
  page.on('requestfailed', (request) => {
    if (request.url().includes('/trpc/auth.refresh')) counts.failed++;
  });
  return counts;
}

/** Makes `email` an admin (`npm run user:role`), which ends their sessions, and signs them in again. */
export async function signInAsAdmin(page: Page, server: TestServer, email: string): Promise<void> {
  await createAccount(page, server.publicOrigin, email);
  const granted = spawnSync(process.execPath, [SET_USER_ROLE_JS, email, 'admin'], {
    env: { PATH: process.env.PATH ?? '', ...server.databaseEnv },
  });
  expect(granted.status).toBe(0);
  await page.goto(`${server.publicOrigin}/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  await signIn(page, email);
  await page.getByRole('heading', { name: 'Welcome', exact: true, level: 1 }).waitFor();
}
