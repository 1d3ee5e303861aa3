/**
 * The refresh cookie (OWASP Session Management cheat sheet): exact attributes, no adoption of a
 * planted cookie, and no confusion when two cookies of our name arrive.
 */
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from '../refresh-cookie';
import { callProcedure, registerUser, sharedTestServer } from '../testing';

const server = sharedTestServer();

let accounts = 0;
async function signUp(headers: Record<string, string> = {}) {
  accounts += 1;
  const { answer, refreshToken } = await registerUser(server().url, `cookie${accounts}@example.com`, { headers });
  return { answer, token: refreshToken };
}
const refresh = (cookieHeader: string) =>
  callProcedure(server().url, 'auth.refresh', { headers: { cookie: cookieHeader } });

describe('the refresh cookie', () => {
  it('has exactly the contract’s attributes: __Secure- prefix, HttpOnly, Secure, SameSite=Strict, scoped Path, an expiry', async () => {
    const { answer, token } = await signUp();
    const setCookies = answer.headers.getSetCookie();
    // The refresh cookie, then its script-readable companion flag, which holds no secret.
    expect(setCookies).toHaveLength(2);
    expect(setCookies[1]).toMatch(/^tessera_signed_in=1; /);
    expect(setCookies[1]).not.toContain(token);
    const [pair, ...attributes] = (setCookies[0] ?? '').split(';').map((part) => part.trim());
    expect(pair).toBe(`${REFRESH_COOKIE_NAME}=${token}`);
    expect(REFRESH_COOKIE_NAME.startsWith('__Secure-')).toBe(true);
    const names = attributes.map((attribute) => attribute.split('=')[0]?.toLowerCase());
    expect(names.sort()).toEqual(['expires', 'httponly', 'path', 'samesite', 'secure']);
    expect(attributes).toContain(`Path=${REFRESH_COOKIE_PATH}`);
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes.some((attribute) => attribute.toLowerCase().startsWith('domain'))).toBe(false);
    // Never in a response body.
    expect(answer.text).not.toContain(token);
  });

  it('refuses two cookies of the refresh name (cookie tossing) without revoking the family', async () => {
    const { token } = await signUp();
    const tossed = await refresh(`${REFRESH_COOKIE_NAME}=planted-by-a-subdomain; ${REFRESH_COOKIE_NAME}=${token}`);
    expect(tossed.status).toBe(401);
    expect(tossed.code).toBe('UNAUTHORIZED');
    const reversed = await refresh(`${REFRESH_COOKIE_NAME}=${token}; ${REFRESH_COOKIE_NAME}=planted-by-a-subdomain`);
    expect(reversed.status).toBe(401);
    // The user's own token was neither consumed nor its session revoked.
    const own = await refresh(`${REFRESH_COOKIE_NAME}=${token}`);
    expect(own.status).toBe(200);
  });

  it('never adopts a refresh cookie planted before sign-in (session fixation)', async () => {
    const planted = 'A'.repeat(43);
    const { answer, token } = await signUp({ cookie: `${REFRESH_COOKIE_NAME}=${planted}` });
    expect(answer.status).toBe(200);
    expect(token).not.toBe(planted);
    expect((await refresh(`${REFRESH_COOKIE_NAME}=${planted}`)).status).toBe(401);

    // Also when the planted value is a real token of the attacker's own session.
    const attacker = await signUp();
    const victim = await registerUser(server().url, 'victim-fixation@example.com', {
      headers: { cookie: `${REFRESH_COOKIE_NAME}=${attacker.token}` },
    });
    expect(victim.refreshToken).not.toBe(attacker.token);

    const attackerRefresh = await refresh(`${REFRESH_COOKIE_NAME}=${attacker.token}`);
    const attackerUser = (attackerRefresh.body as { result: { data: { user: { email: string } } } }).result.data.user;
    expect(attackerUser.email).not.toBe('victim-fixation@example.com');
  });

  it('is cleared with the same attributes when a refresh is refused', async () => {
    const refused = await refresh(`${REFRESH_COOKIE_NAME}=${'B'.repeat(43)}`);
    expect(refused.status).toBe(401);
    const [cleared] = refused.headers.getSetCookie();
    expect(cleared).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=;`));
    expect(cleared).toContain(`Path=${REFRESH_COOKIE_PATH}`);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
  });
});
