import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachTest } from '@tessera/api/testing';
import { startTestServer, type TestServer } from '@tessera/server/testing';
import { type BrowserContext, chromium } from 'playwright-core';

/** The built SPA (turbo builds it before the tests). */
const WEB_ROOT = fileURLToPath(new URL('../../dist', import.meta.url));

/** Debian's Chromium: no test tool may download a browser of its own here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Keep Chromium off the network it cannot reach (Playwright adds headless and no-sandbox). */
const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A fresh Chromium profile: nothing stored from an earlier test.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.context.newPage();
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    headless: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The app on a fresh server and database, and a fresh Chromium, for one test: call in
 * `beforeEach`, and `dispose` in `afterEach` (as {@link appForEachTest} does).
 *
 * @example
 * let app: AppUnderTest;
 * beforeEach(async () => { app = await startAppAndBrowser(); });
 * afterEach(() => app.dispose());
 */
export async function startAppAndBrowser(options: AppOptions = {}): Promise<AppUnderTest> {
  const server = await startTestServer({
    webRoot: WEB_ROOT,
    browserOrigin: true,
    browserHost: options.browserHost,
    env: options.env,
  });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async dispose() {
      await browser.close();
      await server.dispose();
    },
  };
}

/**
 * The app and a browser for each test (startAppAndBrowser with `options`), disposed after it: call
 * it in a suite (it registers a `beforeEach` and an `afterEach`); the function it returns gives
 * the running test's.
 *
 * @example
 * const app = appForEachTest();
 * it('...', async () => {
 *   const { server, browser } = app();
 * });
 */
export function appForEachTest(options: AppOptions = {}): () => AppUnderTest {
  return forEachTest(
    () => startAppAndBrowser(options),
    (app) => app.dispose(),
  );
}

export interface AppOptions {
  /** The server's environment, as an operator sets it. */
  env?: Record<string, string>;
  /** The host of PUBLIC_ORIGIN and of the pages the browser opens (`localhost` by default). */
  browserHost?: 'localhost' | '127.0.0.1';
}

export interface AppUnderTest {
  server: TestServer;
  browser: TestBrowser;
  dispose(): Promise<void>;
}
