import { describe, expect, it } from 'vitest';
import { createAccount, signIn, signInAsAdmin } from './testing/app-driver';
import { appForEachTest } from './testing/browser';
import { screenshot, scrollsSideways } from './testing/page-tools';

/** An address long enough to wrap on a phone, with parts that must each stay whole. */
const LONG_EMAIL = 'ada.lovelace-byron@analytical-engine.example.com';

/** The signed-in pages and their headings; Admin only for admins. */
const PAGES = [
  { path: '/', link: 'Home', heading: 'Welcome' },
  { path: '/sessions', link: 'Sessions', heading: 'Sessions' },
  { path: '/account', link: 'Account', heading: 'Account' },
  { path: '/admin', link: 'Admin', heading: 'Admin' },
] as const;

const PHONE = { width: 380, height: 800 };
const DESKTOP = { width: 1280, height: 800 };

const app = appForEachTest();

describe('the app shell', () => {
  it('gives every signed-in page one header: the logo home, the pages (the current one marked), the email and Sign out', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.setViewportSize(DESKTOP);
    await signInAsAdmin(page, server, LONG_EMAIL);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const header = page.getByRole('banner');

    for (const { path, link, heading } of PAGES) {
      await nav.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(path);
      await expect(nav.getByRole('link', { name: link, exact: true }).getAttribute('aria-current')).resolves.toBe(
        'page',
      );
      await expect(nav.locator('[aria-current="page"]').count()).resolves.toBe(1);
      await expect(header.getByText(LONG_EMAIL).isVisible()).resolves.toBe(true);
      await expect(header.getByRole('button', { name: 'Sign out', exact: true }).isVisible()).resolves.toBe(true);
      // The old per-page "Home" link at the bottom of a card is gone: the header has the way back.
      await expect(page.getByRole('main').getByRole('link', { name: 'Home', exact: true }).count()).resolves.toBe(0);
      await expect(scrollsSideways(page)).resolves.toBe(false);
    }
    await header.getByRole('link', { name: 'Tessera' }).click();
    await page.getByRole('heading', { name: 'Welcome', exact: true, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('shows Admin to admins only', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'user@example.com');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Home', 'Sessions', 'Account']);
  });

  it('signs out from every page', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await signInAsAdmin(page, server, 'boss@example.com');
    for (const { path, heading } of PAGES) {
      await page.goto(`${server.publicOrigin}${path}`);
      await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await expect(page.getByRole('banner').getByRole('navigation').count()).resolves.toBe(0);
      await signIn(page, 'boss@example.com');
      // Signing in again returns to the page that was open.
      await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
    }
  });

  it('folds the navigation and the account into a menu on a phone, opened and closed by button or Escape', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await createAccount(page, server.publicOrigin, 'phone@example.com');
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });

    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(nav.isVisible()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true }).isVisible()).resolves.toBe(false);

    await menu.click();
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
    await nav.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { name: 'Sessions', exact: true, level: 1 }).waitFor();
    // Going to a page closes the menu.
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(nav.isVisible()).resolves.toBe(false);

    // From the keyboard: open, Tab into it, Escape closes it and returns focus to the button.
    await menu.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Home');
    await page.keyboard.press('Escape');
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Menu');

    await menu.click();
    await expect(page.getByRole('banner').getByText('phone@example.com').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('wraps a long email only between its parts, clamps a long note with Show more, and never scrolls sideways on a phone', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await signInAsAdmin(page, server, LONG_EMAIL);

    await page.getByLabel('Title').fill('A very long note');
    await page.getByLabel('Body').fill('All work and no play makes Jack a dull boy. '.repeat(460));
    await page.getByRole('button', { name: 'Add note' }).click();
    const showMore = page.getByRole('button', { name: 'Show more' });
    await showMore.waitFor();
    const clampedHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(clampedHeight).toBeLessThan(2500);
    // A note body uses the row's width, not a word a line beside its buttons.
    const bodyWidth = await page.locator('.note-text').evaluate((element) => element.getBoundingClientRect().width);
    expect(bodyWidth).toBeGreaterThan(PHONE.width / 2);
    await showMore.click();
    await expect(page.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(page.evaluate(() => document.documentElement.scrollHeight)).resolves.toBeGreaterThan(clampedHeight);
    await expect(scrollsSideways(page)).resolves.toBe(false);

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    const row = page.getByRole('list', { name: 'Accounts' }).getByRole('listitem').filter({ hasText: LONG_EMAIL });
    await row.waitFor();
    await expect(scrollsSideways(page)).resolves.toBe(false);
    // Each part of the address (`ada.`, `lovelace-`, `@analytical-`, …) is one unbroken run of text.
    const partsOnOneLine = await row.locator('.session-device').evaluate((element) => {
      const parts = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
      return parts.map((part) => {
        const range = document.createRange();
        range.selectNodeContents(part);
        return range.getClientRects().length;
      });
    });
    expect(partsOnOneLine.length).toBeGreaterThan(3);
    expect(partsOnOneLine.every((lines) => lines === 1)).toBe(true);
  });

  it('looks right on every page at 380 and 1280 px, light and dark (screenshots)', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await signInAsAdmin(page, server, LONG_EMAIL);
    await page.getByLabel('Title').fill('Groceries');
    await page.getByLabel('Body').fill('Milk, eggs, bread, and something for the weekend.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Milk, eggs').waitFor();

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const [width, size] of [
        ['1280', DESKTOP],
        ['380', PHONE],
      ] as const) {
        await page.setViewportSize(size);
        for (const { path, heading } of PAGES) {
          await page.goto(`${server.publicOrigin}${path}`);
          await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
          await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
          await expect(scrollsSideways(page)).resolves.toBe(false);
          await screenshot(page, `shell-${heading.toLowerCase()}-${width}-${colorScheme}`);
        }
      }
    }
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Menu' }).click();
    await screenshot(page, 'shell-menu-open-380-dark');
  });
});
