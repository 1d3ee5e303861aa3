import { describe, expect, it } from 'vitest';
import { signedInFlagPresent } from './signed-in-flag';

describe('signedInFlagPresent', () => {
  it.each([
    ['tessera_signed_in=1', true],
    ['theme=dark; tessera_signed_in=1', true],
    ['theme=dark', false],
    ['', false],
    // A look-alike name is not the flag.
    ['xtessera_signed_in=1; tessera_signed_in_not=1', false],
  ])('reads %j as %s', (cookies, expected) => {
    expect(signedInFlagPresent(cookies)).toBe(expected);
  });

  it('assumes a session may exist where there are no cookies to read (outside a browser)', () => {
    expect(signedInFlagPresent(undefined)).toBe(true);
  });
});
