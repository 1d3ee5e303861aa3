import { describe, expect, it } from 'vitest';
import { tokenLifetimeMs } from './token-lifetime';

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${encode({ alg: 'EdDSA', typ: 'at+jwt' })}.${encode(claims)}.signature`;

describe('tokenLifetimeMs', () => {
  it('uses exp − iat, both on the server clock, so local clock skew cancels out', () => {
    const serverNow = 1_700_000_000_000;
    const session = {
      accessToken: jwt({ iat: serverNow / 1000, exp: serverNow / 1000 + 300 }),
      expiresAt: serverNow + 300_000,
    };
    const localNowAnHourBehind = serverNow - 3_600_000;

    expect(tokenLifetimeMs(session, localNowAnHourBehind)).toBe(300_000);
  });

  it('falls back to the local clock when the token has no readable iat', () => {
    expect(tokenLifetimeMs({ accessToken: 'opaque', expiresAt: 10_000 }, 4_000)).toBe(6_000);
    expect(tokenLifetimeMs({ accessToken: 'a.!!!.c', expiresAt: 10_000 }, 4_000)).toBe(6_000);
    expect(tokenLifetimeMs({ accessToken: jwt({ sub: 'u' }), expiresAt: 10_000 }, 4_000)).toBe(6_000);
  });

  it('never returns a negative lifetime', () => {
    expect(tokenLifetimeMs({ accessToken: 'opaque', expiresAt: 1_000 }, 5_000)).toBe(0);
  });
});
