import { mkdirSync } from 'node:fs';
import type { CDPSession, Locator, Page } from 'playwright-core';

/** Where a test may leave screenshots to look at (kept out of the repository); unset, none are taken. */
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;

/**
 * A full-page screenshot named `name`, in `SCREENSHOTS_DIR` when it is set.
 *
 * @example
 * await screenshot(page, 'account-passkey-added');
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/**
 * A screenshot of one part of the page (a section, a dialog) named `name`, in `SCREENSHOTS_DIR`
 * when it is set: what a change touches, at a size to look at closely.
 *
 * @example
 * await screenshotOf(page.getByRole('region', { name: 'Delete account' }), 'account-delete');
 */
export async function screenshotOf(part: Locator, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await part.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/**
 * A platform authenticator (a phone's or laptop's) in this tab, through the DevTools protocol,
 * that verifies its user at once: discoverable keys, user verification, no prompt to answer.
 *
 * @example
 * const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
 */
export async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Pastes `text` into a field as the clipboard would (a `paste` event with the text), for the
 * page's own paste handling; the browser then inserts what fits its `maxlength`.
 *
 * @example
 * await pasteInto(page.getByLabel('Body'), 'x'.repeat(25_000));
 */
export async function pasteInto(field: Locator, text: string): Promise<void> {
  await field.focus();
  await field.evaluate((element, pasted) => {
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Whether the page scrolls sideways: nothing on a signed-in page may be wider than the window. */
export const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
