import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 time-based one-time passwords, through `otpauth` (the HMAC, the dynamic truncation and
 * a constant-time comparison are the library's). Tessera's are what every authenticator app
 * reads: HMAC-SHA1, 6 digits, 30-second steps, a 160-bit secret.
 */
export interface TotpParameters {
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  /** Seconds a code lasts. */
  period: number;
}

export const TOTP_PARAMETERS: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };

/** Steps either side of now a code may come from: a phone's clock a little off, a code typed as it turned. */
export const TOTP_DRIFT_STEPS = 1;

/** 160 bits, RFC 4226's recommended length for an HMAC-SHA1 key. */
const SECRET_BYTES = 20;

/**
 * A new secret from the CSPRNG, base32 (as authenticator apps take it when typed).
 *
 * @example
 * newTotpSecret(); // 'JBSWY3DPEHPK3PXP…' (32 characters)
 */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/**
 * The `otpauth://totp/…` URI an authenticator app reads from the QR code: the issuer (`RP_NAME`)
 * and the account's email name the entry.
 *
 * @example
 * totpUri({ secret, issuer: 'Tessera', account: 'ada@example.com' }); // 'otpauth://totp/Tessera:ada%40example.com?issuer=Tessera&secret=…'
 */
export function totpUri(input: { secret: string; issuer: string; account: string }): string {
  return totpOf(input.secret, TOTP_PARAMETERS, { issuer: input.issuer, label: input.account }).toString();
}

/**
 * The step (`floor(time / period)`) whose code `code` is, within the drift allowed around `at`
 * (epoch ms), or null. The caller records the step so the code is accepted once.
 *
 * @example
 * const step = matchTotp(secret, '123456', Date.now()); // 59_123_456, or null
 */
export function matchTotp(
  secret: string,
  code: string,
  at: number,
  parameters: TotpParameters = TOTP_PARAMETERS,
): number | null {
  if (code.length !== parameters.digits || !/^\d+$/.test(code)) return null;
  const delta = totpOf(secret, parameters).validate({ token: code, timestamp: at, window: TOTP_DRIFT_STEPS });
  return delta === null ? null : TOTP.counter({ period: parameters.period, timestamp: at }) + delta;
}

/**
 * The code for `at` (what an authenticator app shows then): for tests and the software
 * authenticator in `@tessera/auth/testing`.
 */
export function totpCode(secret: string, at: number, parameters: TotpParameters = TOTP_PARAMETERS): string {
  return totpOf(secret, parameters).generate({ timestamp: at });
}

function totpOf(secret: string, parameters: TotpParameters, names: { issuer?: string; label?: string } = {}): TOTP {
  return new TOTP({ ...names, ...parameters, secret: Secret.fromBase32(secret) });
}
