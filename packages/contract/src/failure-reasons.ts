/**
 * Why a request was refused, in `data.reason` of every UNAUTHORIZED and TOO_MANY_REQUESTS error
 * (and of FORBIDDEN `TWO_FACTOR_REQUIRED`).
 * A closed set: clients switch on it exhaustively (the auth client refreshes only on an expired
 * or missing access token, and signs out every tab on a revoked or reused session).
 *
 * @example
 * if (error.data.reason === 'SESSION_REVOKED') showSignIn('You were signed out from another device.');
 */
export const FAILURE_REASONS = [
  'ACCESS_TOKEN_MISSING',
  'ACCESS_TOKEN_INVALID',
  'ACCESS_TOKEN_EXPIRED',
  'SESSION_REVOKED',
  'REFRESH_TOKEN_MISSING',
  'REFRESH_TOKEN_INVALID',
  'SESSION_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED',
  'RATE_LIMITED',
  /**
   * A sensitive change (adding a passkey) needs a proof of the password or a passkey younger
   * than `REAUTH_MAX_AGE`: call `auth.reauthenticate`, then try again. The session stays.
   */
  'REAUTH_REQUIRED',
  /**
   * A second step was wrong, used already, or missing (`auth.twoFactor.verify`, `auth.twoFactor.confirm`,
   * `auth.reauthenticate` for an account with two-step verification): ask again. The session, if
   * any, stays.
   */
  'INVALID_CODE',
  /**
   * The pending sign-in is unknown, expired (5 minutes), used, out of attempts (5), or was made
   * by another client: sign in with the password again.
   */
  'PENDING_SIGN_IN_EXPIRED',
  /**
   * `REQUIRE_2FA_FOR_ADMINS` is on and this admin has no two-step verification: set it up
   * (`auth.twoFactor.setup`), then try again. Carried on FORBIDDEN; the session stays.
   */
  'TWO_FACTOR_REQUIRED',
  /**
   * The session is bound to a device key (DPoP, RFC 9449) and the request carried no proof from
   * it: no `DPoP` header, or the bound token sent as `Bearer`. Under `DPOP=required`, also a sign-in
   * or refresh without a proof. Sign in from a client that holds a key.
   */
  'DPOP_PROOF_MISSING',
  /**
   * The `DPoP` proof was refused: not signed by the key the session is bound to, made for another
   * URL or method, too old, replayed, or malformed. The answer's `WWW-Authenticate` says so too.
   */
  'DPOP_PROOF_INVALID',
  /**
   * `DPOP_NONCE=on` and the proof did not carry the server's current nonce: retry once with the
   * `DPoP-Nonce` header of this answer in the proof's `nonce` claim (the auth client does).
   */
  'DPOP_NONCE_REQUIRED',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];
