import { callProcedure, registerUser } from '@tessera/server/testing';
import { describe, expect, it } from 'vitest';
import { createAccount, signIn } from './testing/app-driver';
import { appForEachTest } from './testing/browser';
import { pasteInto } from './testing/page-tools';

const app = appForEachTest();

describe('forms that guide', () => {
  /** @see issue 10, point 11 */
  it('says when a throttled sign-in may try again, from Retry-After', async () => {
    const { server, browser } = app();
    await registerUser(server.url, 'locked@example.com');
    for (let i = 0; i < 10; i++) {
      await callProcedure(server.url, 'auth.login', {
        input: { email: 'locked@example.com', password: 'wrong password' },
      });
    }
    const page = await browser.context.newPage();
    await page.goto(`${server.publicOrigin}/sign-in`);
    await signIn(page, 'locked@example.com');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Too many attempts. Try again in 15 minutes.');
  });

  /** @see issue 10, point 9 */
  it('moves focus where the user must look: the field to fix, the message, the new page’s heading', async () => {
    const { server, browser } = app();
    await registerUser(server.url, 'focus@example.com');
    const page = await browser.context.newPage();
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return {
          tag: element?.tagName,
          id: element?.id,
          text: element?.textContent,
          inForm: !!element?.closest('form'),
        };
      });
    await page.goto(`${server.publicOrigin}/sign-in`);

    // A check that names a field: focus on that field.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(focused).toMatchObject({ tag: 'INPUT', id: 'email' });

    // Wrong credentials mark no field (either may be wrong): the password is where to retype, the
    // message is what it reads out, and Tab stays in the form.
    await signIn(page, 'focus@example.com', 'not the password');
    await page.getByRole('alert').waitFor();
    await expect.poll(focused).toMatchObject({ tag: 'INPUT', id: 'password' });
    const password = page.getByLabel('Password', { exact: true });
    await expect(password.getAttribute('aria-describedby')).resolves.toBe('form-alert');
    await expect(password.getAttribute('aria-invalid')).resolves.toBeNull();
    await page.keyboard.press('Tab');
    await expect.poll(focused).toMatchObject({ inForm: true, tag: 'BUTTON' });

    // A failure no input can fix (the server unreachable): focus on the announced message.
    await page.route('**/trpc/auth.login*', (route) => route.abort());
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect
      .poll(focused)
      .toMatchObject({ id: 'form-alert', text: 'Could not reach Tessera. Check your connection and try again.' });
    await page.unroute('**/trpc/auth.login*');

    // Signed in: the new page's heading; signed out: the sign-in page's heading.
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(focused).toMatchObject({ tag: 'H1', text: 'Welcome' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(focused).toMatchObject({ tag: 'H1', text: 'Welcome back' });

    // Signed up: the home page's heading too.
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Email').fill('focus-new@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(focused).toMatchObject({ tag: 'H1', text: 'Welcome' });
  });

  /** @see issue 10, point 13 */
  it('keeps the submit button where it is when the alert appears and goes', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.goto(`${server.publicOrigin}/sign-in`);
    const button = page.getByRole('button', { name: 'Sign in', exact: true });
    const before = await button.boundingBox();
    await signIn(page, 'nobody@example.com', 'not the password');
    await page.getByRole('alert').waitFor();
    expect(await button.boundingBox()).toEqual(before);
    await page.getByLabel('Email').fill('');
    await button.click();
    await page.getByRole('alert').getByText('Enter your email').waitFor();
    expect(await button.boundingBox()).toEqual(before);
  });

  /** @see issue 10, point 13: a long email broke mid-word, like a typo ("long.a / ddress"). */
  it('wraps a long email only after a dot, hyphen or underscore, or before the @', async () => {
    const { server, browser } = app();
    const email = 'ada.lovelace.with.a.rather.long.address@analytical-engine.example.com';
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await createAccount(page, server.publicOrigin, email);
    await page.goto(`${server.publicOrigin}/account`);
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    const lines = await page.locator('.page-subtitle').evaluate((element) => {
      // The rendered lines: characters grouped by the top of their box.
      const byTop = new Map<number, string>();
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        for (let i = 0; i < (node.textContent ?? '').length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          byTop.set(top, (byTop.get(top) ?? '') + (node.textContent ?? '')[i]);
        }
      }
      return [...byTop.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
    });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(email);
    for (const [index, line] of lines.slice(0, -1).entries()) {
      const next = lines[index + 1] ?? '';
      expect(/[._-]$/.test(line) || next.startsWith('@')).toBe(true);
    }
  });

  /** @see issue 10, point 1: opening 127.0.0.1 when the server serves localhost. */
  it('names the origin to open when sign-in comes from another one', async () => {
    const { server, browser } = app();
    await registerUser(server.url, 'elsewhere@example.com');
    const page = await browser.context.newPage();
    const otherOrigin = server.publicOrigin.replace('localhost', '127.0.0.1');
    await page.goto(`${otherOrigin}/sign-in`);
    await signIn(page, 'elsewhere@example.com');
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      `This server accepts sign-in only from ${server.publicOrigin}. Open ${server.publicOrigin} and try again.`,
    );
  });

  /** @see issue 10, point 14 */
  it('states both password bounds, carries the server’s limits, and points out a paste that was too long', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.goto(`${server.publicOrigin}/sign-up`);
    const password = page.getByLabel('Password', { exact: true });
    await expect(password.getAttribute('maxlength')).resolves.toBe('128');
    await expect(page.getByLabel('Email').getAttribute('maxlength')).resolves.toBe('254');
    await page.getByText('8 to 128 characters.').waitFor();

    await pasteInto(password, 'p'.repeat(200));
    await page.getByText('Password can be at most 128 characters').waitFor();
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
  });

  /** @see issue 10, point 10 */
  it('on the Sessions page, an error replaces the loading text and offers "Try again", which works', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.goto(`${server.publicOrigin}/sign-up`);
    await page.getByLabel('Email').fill('flaky@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('flaky@example.com').waitFor();

    await page.route('**/trpc/auth.sessions.list*', (route) => route.abort());
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('Your sessions could not be loaded.').waitFor({ timeout: 15_000 });
    await expect(page.getByText('Loading sessions…').count()).resolves.toBe(0);

    await page.unroute('**/trpc/auth.sessions.list*');
    await page.getByRole('button', { name: 'Try again' }).first().click();
    await page.getByText('This device').waitFor();
    await expect(page.getByText('Your sessions could not be loaded.').count()).resolves.toBe(0);
  });
});
