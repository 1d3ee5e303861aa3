import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { matchTotp, newTotpSecret, TOTP_PARAMETERS, totpCode, totpUri } from './totp';

/** RFC 6238, Appendix B: the seeds are ASCII digits, 20, 32 and 64 bytes long. */
const seeds = {
  SHA1: Secret.fromUTF8('12345678901234567890').base32,
  SHA256: Secret.fromUTF8('12345678901234567890123456789012').base32,
  SHA512: Secret.fromUTF8('1234567890123456789012345678901234567890123456789012345678901234').base32,
} as const;

const vectors: ReadonlyArray<readonly [number, string, string, string]> = [
  // [time (s), SHA1, SHA256, SHA512]
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it('passes the RFC 6238 test vectors, generating and matching', () => {
    for (const [seconds, ...codes] of vectors) {
      (['SHA1', 'SHA256', 'SHA512'] as const).forEach((algorithm, i) => {
        const parameters = { algorithm, digits: 8, period: 30 };
        expect(totpCode(seeds[algorithm], seconds * 1000, parameters)).toBe(codes[i]);
        expect(matchTotp(seeds[algorithm], codes[i] ?? '', seconds * 1000, parameters)).toBe(Math.floor(seconds / 30));
      });
    }
  });

  it('accepts a code one step either side of now, and no further', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, now - 60_000), now)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, now + 60_000), now)).toBeNull();
  });

  it('refuses what is not six digits, and another secret’s code', () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const code = totpCode(secret, now);
    expect(matchTotp(secret, ` ${code}`, now)).toBeNull();
    expect(matchTotp(secret, `${code}0`, now)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now)).toBeNull();
    expect(matchTotp(newTotpSecret(), code, now)).toBeNull();
  });

  it('makes 160-bit secrets and an otpauth URI naming the issuer and the account', () => {
    const secret = newTotpSecret();
    expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri({ secret, issuer: 'Tessera', account: 'ada@example.com' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Tessera:ada@example.com');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Tessera');
    expect(uri.searchParams.get('digits')).toBe(String(TOTP_PARAMETERS.digits));
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
