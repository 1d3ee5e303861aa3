import { createHash, randomBytes } from 'node:crypto';

/**
 * A new opaque refresh token: 256 bits from the CSPRNG, base64url (43 characters).
 *
 * @example
 * const token = generateRefreshToken(); // e.g. 'q3S1…'
 */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The form a refresh token is stored and looked up in. SHA-256 suffices (no salt, no stretching):
 * the input already has 256 bits of entropy, so there is nothing to brute-force.
 *
 * @example
 * db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
