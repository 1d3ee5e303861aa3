import { createHash, randomInt } from 'node:crypto';

/** How many recovery codes a user holds after enrolling or regenerating. */
export const RECOVERY_CODE_COUNT = 10;
/** Below this many unused codes, the Account page asks the owner to make new ones. */
export const RECOVERY_CODES_LOW = 3;

/** Lower-case letters and digits without the ones people misread (0/o, 1/l/i). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** 10 characters of 31: about 49.5 bits each, far beyond guessing within the throttles. */
const CODE_LENGTH = 10;

/**
 * A fresh set of recovery codes from the CSPRNG, as shown to the owner once: `xxxxx-xxxxx`.
 *
 * @example
 * newRecoveryCodes(); // ['k7m2p-qx9tz', …] (10 codes)
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const characters = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${characters.slice(0, 5)}-${characters.slice(5)}`;
  });
}

/**
 * The form a recovery code is stored and looked up in: SHA-256 of the code as typed without case,
 * spaces or dashes. Like a refresh token's, the input is random enough that no stretching is needed.
 *
 * @example
 * hashRecoveryCode('K7M2P QX9TZ') === hashRecoveryCode('k7m2p-qx9tz'); // true
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizedRecoveryCode(code)).digest('base64url');
}

function normalizedRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}
