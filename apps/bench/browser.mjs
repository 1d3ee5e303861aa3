// In Chromium: how long an anonymous visitor waits for the sign-in form, against how long a
// signed-in reload takes to show the signed-in page, and how many auth requests that reload makes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const WEB_INDEX = new URL('../web/dist/index.html', import.meta.url);

/** An error to report instead when there is no Chromium here or the web app is not built. */
export async function measureReload(origin, { times }) {
  if (!existsSync(CHROMIUM)) return { error: `no Chromium at ${CHROMIUM}` };
  if (!existsSync(WEB_INDEX)) return { error: 'the web app is not built (npm run build)' };
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'tessera-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await context.newPage();
    const anonymous = [];
    for (let i = 0; i < times; i++) {
      await context.clearCookies();
      const started = performance.now();
      await page.goto(`${origin}/sign-in`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      anonymous.push(performance.now() - started);
    }

    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Email').fill(`reload-${Date.now()}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    const signedIn = [];
    const authRequests = [];
    for (let i = 0; i < times; i++) {
      let count = 0;
      // A batched call names every procedure in its path: count each auth one.
      const onRequest = (request) => {
        const { pathname } = new URL(request.url());
        if (!pathname.startsWith('/trpc/')) return;
        count += pathname
          .slice('/trpc/'.length)
          .split(',')
          .filter((procedure) => procedure.startsWith('auth.')).length;
      };
      page.on('request', onRequest);
      const started = performance.now();
      await page.reload();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      signedIn.push(performance.now() - started);
      // Let any request the page makes once shown be counted too.
      await page.waitForLoadState('networkidle');
      page.off('request', onRequest);
      authRequests.push(count);
    }
    return {
      anonymousMs: median(anonymous),
      signedInReloadMs: median(signedIn),
      ratio: median(signedIn) / median(anonymous),
      authRequestsPerReload: Math.max(...authRequests),
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
