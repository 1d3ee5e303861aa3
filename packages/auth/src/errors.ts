/** Stable codes that callers switch on; the message is for logs, never shown as-is to clients. */
export type AuthErrorCode =
  /** Unknown email or wrong password: deliberately one code, so the two cannot be told apart. */
  | 'INVALID_CREDENTIALS'
  /** A password change with the wrong current password. */
  | 'WRONG_CURRENT_PASSWORD'
  | 'EMAIL_TAKEN'
  /** The refresh token is unknown, expired, revoked or replayed. */
  | 'INVALID_REFRESH_TOKEN'
  | 'SESSION_NOT_FOUND'
  /** The caller's session ended while the operation ran (a credential change won the race). */
  | 'SESSION_ENDED'
  /** Too many attempts; see `RateLimitedError.retryAfterSeconds`. */
  | 'RATE_LIMITED'
  /** Too much password hashing queued already; see `BusyError.retryAfterSeconds`. */
  | 'BUSY'
  /**
   * A mailed link's token (password reset, email verification, email change or its undo) is
   * refused: `details.reason` is `unknown`, `expired`, `used` or `superseded` (or, for an email
   * change, `taken`), `details.purpose` which link it was.
   */
  | 'EMAIL_LINK_REFUSED'
  /** The password is right but the address is not verified yet (`REQUIRE_VERIFIED_EMAIL`). */
  | 'EMAIL_NOT_VERIFIED'
  /**
   * A passkey ceremony is refused: `details.ceremony` is `registration` or `authentication`,
   * `details.reason` one of `PasskeyRefusal` (passkey-auth.ts).
   */
  | 'PASSKEY_REFUSED'
  /** Not one of the caller's passkeys. */
  | 'PASSKEY_NOT_FOUND'
  /** Removing this passkey would leave the account no way to sign in. */
  | 'LAST_SIGN_IN_METHOD'
  /** `PUBLIC_ORIGIN` names no domain (an IP address), so there is no relying party ID. */
  | 'PASSKEYS_UNAVAILABLE'
  /** A second-step answer (TOTP code, recovery code, passkey of another account) is wrong, used or missing. */
  | 'INVALID_CODE'
  /** The pending sign-in's handle is unknown, expired, used, out of attempts or from another client. */
  | 'PENDING_SIGN_IN_EXPIRED'
  /** `auth.twoFactor.setup` while two-step verification is on: turn it off first. */
  | 'TWO_FACTOR_ENABLED'
  /** `auth.password.set` on an account that has a password: change it with the current one. */
  | 'PASSWORD_ALREADY_SET'
  /** Turning off, or new recovery codes, while two-step verification is off; or confirming with no setup. */
  | 'TWO_FACTOR_NOT_ENABLED'
  /**
   * A sign-in or link through an outside provider is refused: `details.reason` is one of
   * `SocialRefusal` (capabilities/social.ts), `details.provider` which provider.
   */
  | 'SOCIAL_SIGN_IN_REFUSED'
  /** Not one of the caller's linked identities. */
  | 'IDENTITY_NOT_FOUND'
  /** `auth.email.requestChange` to the address the account has already. */
  | 'EMAIL_UNCHANGED'
  /** `auth.account.delete` with another address than the account's typed as the confirmation. */
  | 'DELETE_CONFIRMATION_MISMATCH'
  /** Deleting the only admin account would leave nobody to run the service. */
  | 'LAST_ADMIN'
  /** An admin named an account that does not exist (or is deleted already). */
  | 'USER_NOT_FOUND';

/**
 * A failure the caller is expected to handle: it maps to a client-facing error code.
 *
 * @example
 * if (error instanceof AuthError && error.code === 'EMAIL_TAKEN') throw conflict();
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string = code,
    /** Facts for the server log (never for the client), e.g. why a refresh was refused. */
    readonly details: Record<string, string | null> = {},
  ) {
    super(message);
  }
}

/**
 * Too many attempts for now.
 *
 * @example
 * if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
 */
export class RateLimitedError extends AuthError {
  /** Whole seconds until the next attempt may succeed (at least 1). */
  readonly retryAfterSeconds: number;
  constructor(msBeforeNext: number) {
    super('RATE_LIMITED', 'Too many attempts');
    this.retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  }
}

/**
 * The server is saturated with password hashing for this kind of request: come back shortly.
 * The password was not checked.
 *
 * @example
 * if (error instanceof BusyError) reply.code(503).header('retry-after', String(error.retryAfterSeconds));
 */
export class BusyError extends AuthError {
  readonly retryAfterSeconds = 1;
  constructor() {
    super('BUSY', 'Too much password hashing queued');
  }
}
