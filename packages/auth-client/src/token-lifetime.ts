import { readClaims } from './jwt-claims';

/**
 * How long a freshly received access token stays valid, in milliseconds.
 *
 * `expiresAt` is on the server's clock, and the browser's clock may be minutes off. Subtracting
 * the token's own `iat` claim (also the server's clock) cancels that skew; the caller then adds
 * the result to its local receipt time. Reading `iat` is not verification: the server verifies
 * every token it receives, the client only uses the claim for scheduling.
 * If the token carries no readable `iat`, fall back to trusting the local clock.
 *
 * @example
 * const receivedAt = Date.now();
 * const localExpiry = receivedAt + tokenLifetimeMs(session, receivedAt);
 */
export function tokenLifetimeMs(session: { accessToken: string; expiresAt: number }, localNow: number): number {
  const issuedAt = readIssuedAtMs(session.accessToken);
  if (issuedAt !== undefined && session.expiresAt > issuedAt) return session.expiresAt - issuedAt;
  return Math.max(0, session.expiresAt - localNow);
}

function readIssuedAtMs(jwt: string): number | undefined {
  const iat = readClaims(jwt)?.iat;
  return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined;
}
