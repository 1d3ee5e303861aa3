import { callProcedure, dpopKey } from '@tessera/server/testing';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAccount, signInFormSeen, watchForSignInForm } from './testing/app-driver';
import { appForEachTest } from './testing/browser';

const app = appForEachTest();
const REFRESH_COOKIE = '__Secure-tessera_refresh';

/** A JWT's claims, read without checking it (the server checks). */
const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));

/** A request the page sent with an access token, as the DevTools protocol saw it. */
interface SeenRequest {
  url: string;
  method: string;
  authorization: string;
  dpop: string | null;
}

/** Everything the page sends with an access token, read through the DevTools protocol (CDP). */
async function watchTokens(page: Page): Promise<SeenRequest[]> {
  const seen: SeenRequest[] = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', ({ request }) => {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    if (!headers.authorization) return;
    seen.push({
      url: request.url,
      method: request.method,
      authorization: headers.authorization,
      dpop: headers.dpop ?? null,
    });
  });
  return seen;
}

/** The page's device key as IndexedDB holds it: whether script can read its private bytes. */
function deviceKeyOf(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tessera-dpop');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const record = await new Promise<{ privateKey: CryptoKey; jkt: string }>((resolve, reject) => {
      const request = db.transaction('keys').objectStore('keys').get('device');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    const exported = await crypto.subtle.exportKey('jwk', record.privateKey).then(
      () => 'exported',
      (error: Error) => error.name,
    );
    return { jkt: record.jkt, extractable: record.privateKey.extractable, exported };
  });
}

describe('a session bound to this browser (DPoP)', () => {
  it('keeps its key unreadable, binds the tokens to it, and refuses the token and the cookie taken out of the browser', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    const seen = await watchTokens(page);
    await watchForSignInForm(page);
    await createAccount(page, server.publicOrigin, 'bound@example.com');
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('This device').waitFor();

    const key = await deviceKeyOf(page);
    expect(key).toMatchObject({ extractable: false, exported: 'InvalidAccessError' });
    const last = seen.at(-1);
    if (!last) throw new Error('the page sent no access token');
    expect(last.authorization).toMatch(/^DPoP /);
    expect(last.dpop).toEqual(expect.any(String));
    const accessToken = last.authorization.slice('DPoP '.length);
    expect(claimsOf(accessToken).cnf).toEqual({ jkt: key.jkt });

    // Reload and a second tab: restored silently, with the same key, no sign-in form on the way.
    await page.reload();
    await page.getByText('This device').waitFor();
    expect(await signInFormSeen(page)).toBe(false);
    const second = await browser.context.newPage();
    await second.goto(`${server.publicOrigin}/`);
    await second.getByText('bound@example.com').waitFor();
    expect((await deviceKeyOf(second)).jkt).toBe(key.jkt);

    // What a thief can take out of the browser: the access token, a proof it saw, and the HttpOnly cookie.
    const cdp = await browser.context.newCDPSession(page);
    const { cookies } = await cdp.send('Network.getAllCookies');
    const cookie = cookies.find((c) => c.name === REFRESH_COOKIE)?.value;
    expect(cookie).toEqual(expect.any(String));
    const thief = await dpopKey();
    const me = (headers: Record<string, string>) => callProcedure(server.url, 'auth.me', { method: 'GET', headers });
    const urlOfMe = `${server.publicOrigin}/trpc/auth.me`;
    expect((await me({ authorization: `Bearer ${accessToken}` })).reason).toBe('DPOP_PROOF_MISSING');
    const ownProof = await thief.proof({ method: 'GET', url: urlOfMe, accessToken });
    expect((await me({ authorization: `DPoP ${accessToken}`, dpop: ownProof })).reason).toBe('DPOP_PROOF_INVALID');
    // The page's own proof, replayed for the request it was made for: spent already.
    const replayed = await fetch(last.url.replace(server.publicOrigin, server.url), {
      method: last.method,
      headers: { authorization: last.authorization, dpop: last.dpop ?? '' },
    });
    expect(replayed.status).toBe(401);
    for (const proof of [
      undefined,
      await thief.proof({ method: 'POST', url: `${server.publicOrigin}/trpc/auth.refresh` }),
    ]) {
      const refresh = await callProcedure(server.url, 'auth.refresh', {
        headers: { cookie: `${REFRESH_COOKIE}=${cookie}`, ...(proof ? { dpop: proof } : {}) },
      });
      expect(refresh.reason).toBe('DPOP_PROOF_INVALID');
    }

    // The browser that holds the key goes on as if nothing happened.
    await page.reload();
    await page.getByText('This device').waitFor();
    await second.reload();
    await second.getByText('bound@example.com').waitFor();
    expect(await signInFormSeen(page)).toBe(false);
  });

  it('falls back to a Bearer session in a browser without IndexedDB, and says so once in the console', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined });
    });
    const notices: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('device key')) notices.push(message.text());
    });
    const seen = await watchTokens(page);
    await createAccount(page, server.publicOrigin, 'noidb@example.com');
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByText('This device').waitFor();
    const last = seen.at(-1);
    expect(last?.authorization).toMatch(/^Bearer /);
    expect(last?.dpop).toBeNull();
    expect(claimsOf(last?.authorization.slice('Bearer '.length) ?? '').cnf).toBeUndefined();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('DPoP off');
  });

  it('makes a new key after signing out, and binds the next session to it', async () => {
    const { server, browser } = app();
    const page = await browser.context.newPage();
    await createAccount(page, server.publicOrigin, 'newkey@example.com');
    const before = await deviceKeyOf(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill('newkey@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a strong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('newkey@example.com').waitFor();
    const after = await deviceKeyOf(page);
    expect(after.jkt).not.toBe(before.jkt);
    expect(after.extractable).toBe(false);
  });
});
