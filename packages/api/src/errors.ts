import { AuthError, type AuthErrorCode, BusyError, RateLimitedError } from '@tessera/auth';
import { type FailureReason, isSessionEndCause, type SessionEndCause } from '@tessera/contract';
import { isDatabaseUnavailable, isUnstorableText } from '@tessera/db';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * Client-facing messages, one per situation. They are deliberately generic: which check failed
 * (unknown email or wrong password, expired or replayed token) is for the server log only.
 */
export const messages = {
  invalidCredentials: 'Invalid email or password.',
  wrongCurrentPassword: 'Your current password is incorrect.',

  authenticationRequired: 'Authentication required.',
  accessTokenExpired: 'Your access token has expired. Refresh it and try again.',
  sessionExpired: 'Your session has ended. Please sign in again.',
  sessionRevoked: 'This session was ended. Please sign in again.',
  refreshTokenReused: 'This session was used from somewhere else, so it was ended. Please sign in again.',
  emailTaken: 'An account with this email already exists.',
  crossSite: 'Cross-site request refused.',
  /** Names the origin to open: `127.0.0.1` instead of `localhost` is the usual cause in development. */
  wrongOrigin: (expected: string) =>
    `This server accepts sign-in only from ${expected}. Open ${expected} and try again.`,
  forbidden: 'You are not allowed to do that.',
  dpopProofMissing:
    'This session is bound to a device key: send the access token as "Authorization: DPoP" with a DPoP proof from that key.',
  dpopProofRequired: 'This server binds every session to a device key: send a DPoP proof with the request.',
  dpopProofInvalid:
    'The DPoP proof was refused: it must be fresh, made for this request, and signed by the session’s key.',
  dpopNonceRequired: 'Retry with a DPoP proof that carries the nonce in this answer’s DPoP-Nonce header.',
  sessionNotFound: 'No such session.',
  tooManyAttempts: 'Too many attempts. Please wait and try again.',
  internal: 'Something went wrong on our side.',
  unavailable: 'The service is briefly unavailable. Please try again.',
  busy: 'The service is busy. Please try again in a moment.',
  unstorableText:
    'The text holds a character that cannot be stored, such as a control character. Remove it and try again.',
  emailNotVerified: 'Please confirm your email address first: open the link we sent you.',
  reauthRequired: 'Please confirm it is you: enter your password or use a passkey, then try again.',
  invalidCode:
    'That code is not right or was already used. Enter the newest code from your app, or a recovery code you have not used.',
  pendingSignInExpired: 'This sign-in has expired. Please enter your email and password again.',
  twoFactorEnabled: 'Two-step verification is already on. Turn it off first to set it up again.',
  passwordAlreadySet: 'This account has a password already. Change it with the current one.',
  twoFactorNotEnabled: 'Two-step verification is not on. Set it up first.',
  twoFactorRequired: 'Set up two-step verification on your Account page to use the admin pages.',
  providerUnavailable: 'That provider cannot be reached right now. Please try again, or sign in another way.',
  identityNotFound: 'No such connected account.',
  lastIdentity: 'This is your only way to sign in. Set a password or add a passkey before you disconnect it.',
  /** Why a passkey was not accepted, by the core's reason; each says what to do next. */
  passkeyRefused: {
    authentication: {
      challenge_unknown: 'This passkey request was already used or is not valid. Please try again.',
      challenge_expired: 'The passkey request timed out. Please try again.',
      not_verified:
        'This passkey was not accepted. It may have been removed from your account: sign in with your password or another passkey.',
    },
    registration: {
      challenge_unknown: 'This request to add a passkey was already used or is not valid. Please try again.',
      challenge_expired: 'The request to add a passkey timed out. Please try again.',
      not_verified: 'The passkey could not be verified, so it was not added. Please try again.',
      already_registered: 'This passkey is already registered.',
      too_many: 'You have the most passkeys an account can hold. Remove one to add another.',
      not_discoverable:
        'This security key cannot keep a passkey of its own, so it was not added. Use your phone, computer or password manager instead.',
    },
  },
  passkeyNotFound: 'No such passkey.',
  lastSignInMethod: 'This passkey is your only way to sign in. Set a password before you remove it.',
  passkeysUnavailable: 'Passkeys are not available on this server.',
  /** Why a mailed link does not work, by the core's reason; each says what to do next. */
  linkRefused: {
    password_reset: {
      unknown: 'This reset link is not valid. Ask for a new one.',
      expired: 'This reset link has expired. Ask for a new one.',
      used: 'This reset link was already used. Ask for a new one if you need to.',
      superseded: 'A newer reset link was sent since this one. Use the newest mail, or ask again.',
    },
    email_verification: {
      unknown: 'This confirmation link is not valid. Ask for a new one.',
      expired: 'This confirmation link has expired. Ask for a new one.',
      used: 'This confirmation link was already used.',
      superseded: 'A newer confirmation link was sent since this one. Use the newest mail.',
    },
    email_change: {
      unknown: 'This link is not valid. Ask for the change again on your Account page.',
      expired: 'This link has expired. Ask for the change again on your Account page.',
      used: 'This link was already used: the address was changed.',
      superseded:
        'This link no longer works: a newer link was sent, or the account changed since. Use the newest mail, or ask again.',
      taken: 'That address now belongs to another account, so it cannot be yours. Choose another one.',
    },
    email_change_undo: {
      unknown: 'This link is not valid.',
      expired:
        'This link has expired. Reset your password with this address, or contact the people who run this service.',
      used: 'This link was already used: the address was put back.',
      superseded: 'This link no longer works: the account changed since. Reset your password with this address.',
      taken: 'This address now belongs to another account, so it cannot be put back.',
    },
  },
  emailUnchanged: 'That is your address already.',
  deleteConfirmationMismatch: 'Type your email address exactly as it is shown to delete your account.',
  lastAdmin:
    'This is the only admin account, so it cannot be deleted. Make another account an admin first (npm run user:role -- <email> admin).',
  userNotFound: 'No such user.',
} as const;

type LinkPurpose = keyof typeof messages.linkRefused;
const linkPurposes = Object.keys(messages.linkRefused) as LinkPurpose[];
const linkRefusal = (error: AuthError): string => {
  const purpose = linkPurposes.find((key) => key === error.details.purpose) ?? 'password_reset';
  const reasons: Record<string, string> = messages.linkRefused[purpose];
  const reason = error.details.reason ?? 'unknown';
  return (Object.hasOwn(reasons, reason) ? reasons[reason] : reasons.unknown) ?? messages.internal;
};

/**
 * A refused passkey, as the client is told. Signing in, every failure but a spent or expired
 * request reads alike (unknown key, bad signature, wrong origin, cloned counter), as a wrong
 * password does; the reason is in the server log.
 */
const passkeyRefusal = (error: AuthError): TRPCError => {
  const reason = error.details.reason;
  if (error.details.ceremony === 'authentication') {
    const text = messages.passkeyRefused.authentication;
    const message = reason === 'challenge_unknown' || reason === 'challenge_expired' ? text[reason] : text.not_verified;
    return unauthorized('INVALID_CREDENTIALS', message);
  }
  const text = messages.passkeyRefused.registration;
  if (reason === 'already_registered') return fail('CONFLICT', text.already_registered);
  if (
    reason === 'challenge_unknown' ||
    reason === 'challenge_expired' ||
    reason === 'too_many' ||
    reason === 'not_discoverable'
  ) {
    return fail('BAD_REQUEST', text[reason]);
  }
  return fail('BAD_REQUEST', text.not_verified);
};

/**
 * A TRPCError that says why, as a `FailureReason`; the error formatter copies it to `data.reason`.
 *
 * @example
 * throw new RefusedError('UNAUTHORIZED', 'SESSION_REVOKED', messages.sessionRevoked);
 */
export class RefusedError extends TRPCError {
  /** For `SESSION_REVOKED`: what ended the session, when known (`data.sessionEnd`). */
  sessionEnd: SessionEndCause | null = null;

  constructor(
    code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS' | 'FORBIDDEN',
    readonly reason: FailureReason,
    message: string,
    cause?: Error,
  ) {
    super({ code, message, cause });
  }
}

/**
 * `SESSION_REVOKED`, saying what ended the session when it is known, so the sign-in page can tell
 * the user (an administrator, a password reset, …) instead of a generic "signed out".
 *
 * @example
 * throw sessionRevoked('ended_by_admin');
 */
export function sessionRevoked(sessionEnd: SessionEndCause | null): RefusedError {
  const error = unauthorized('SESSION_REVOKED', messages.sessionRevoked);
  error.sessionEnd = sessionEnd;
  return error;
}

/**
 * What ended the session an error is about, for `data.sessionEnd`; null when none is known.
 *
 * @example
 * sessionEndOf(sessionRevoked('role_changed')); // 'role_changed'
 */
export function sessionEndOf(error: TRPCError): SessionEndCause | null {
  return error instanceof RefusedError ? error.sessionEnd : null;
}

/**
 * UNAUTHORIZED, with the reason for clients and a message for people.
 *
 * @example
 * throw unauthorized('INVALID_CREDENTIALS', messages.invalidCredentials);
 */
export function unauthorized(reason: FailureReason, message: string = messages.authenticationRequired): RefusedError {
  return new RefusedError('UNAUTHORIZED', reason, message);
}

/**
 * @example
 * throw fail('CONFLICT', messages.emailTaken);
 */
export function fail(
  code: Exclude<TRPC_ERROR_CODE_KEY, 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS'>,
  message: string,
): TRPCError {
  return new TRPCError({ code, message });
}

/**
 * The reason an error carries to the client: its own, or RATE_LIMITED for any throttling.
 *
 * @example
 * reasonOf(unauthorized('SESSION_REVOKED')); // 'SESSION_REVOKED'
 */
export function reasonOf(error: TRPCError): FailureReason | null {
  if (error instanceof RefusedError) return error.reason;
  return error.code === 'TOO_MANY_REQUESTS' ? 'RATE_LIMITED' : null;
}

/**
 * TOO_MANY_REQUESTS, keeping the limiter's verdict as the cause: the server turns its
 * `retryAfterSeconds` into a `Retry-After` header.
 *
 * @example
 * if (error instanceof RateLimitedError) throw tooManyAttempts(error);
 */
export function tooManyAttempts(cause: RateLimitedError): TRPCError {
  return new RefusedError('TOO_MANY_REQUESTS', 'RATE_LIMITED', messages.tooManyAttempts, cause);
}

/**
 * SERVICE_UNAVAILABLE: too much password hashing is queued. The server turns the cause's
 * `retryAfterSeconds` into a `Retry-After` header.
 *
 * @example
 * if (error instanceof BusyError) throw busy(error);
 */
export function busy(cause: BusyError): TRPCError {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: messages.busy, cause });
}

/**
 * Seconds a client should wait, from the errors of one (possibly batched) response, or null.
 *
 * @example
 * const seconds = retryAfterSeconds(errors); // in responseMeta
 */
export function retryAfterSeconds(errors: readonly TRPCError[]): number | null {
  const waits = errors.flatMap((error) =>
    error.cause instanceof RateLimitedError || error.cause instanceof BusyError ? [error.cause.retryAfterSeconds] : [],
  );
  return waits.length > 0 ? Math.max(...waits) : null;
}

type Refusal = readonly [FailureReason, string];
const unknownRefreshToken: Refusal = ['REFRESH_TOKEN_INVALID', messages.sessionExpired];
/**
 * Why a refresh was refused (the core's `details.reason`), as the client is told; a `revoked` one
 * is `sessionRevoked`, saying what ended the session.
 */
const refusedRefresh = new Map<string | null | undefined, Refusal>([
  ['unknown', unknownRefreshToken],
  ['expired', ['SESSION_EXPIRED', messages.sessionExpired]],
  ['reused', ['REFRESH_TOKEN_REUSED', messages.refreshTokenReused]],
  ['wrong_key', ['DPOP_PROOF_INVALID', messages.dpopProofInvalid]],
  // DPOP=required, and a session from before it that is bound to no key: sign in again.
  ['unbound', ['DPOP_PROOF_MISSING', messages.dpopProofRequired]],
]);

/**
 * The one table from the core's error codes to what a client is told: tRPC code, reason and
 * message. A `Record` over the codes, so a new one does not compile until it is mapped here.
 */
const clientErrors: Record<AuthErrorCode, (error: AuthError) => TRPCError> = {
  INVALID_CREDENTIALS: () => unauthorized('INVALID_CREDENTIALS', messages.invalidCredentials),
  WRONG_CURRENT_PASSWORD: () => unauthorized('INVALID_CREDENTIALS', messages.wrongCurrentPassword),
  EMAIL_TAKEN: () => fail('CONFLICT', messages.emailTaken),
  INVALID_REFRESH_TOKEN: (error) =>
    error.details.reason === 'revoked'
      ? sessionRevoked(isSessionEndCause(error.details.sessionEnd) ? error.details.sessionEnd : null)
      : unauthorized(...(refusedRefresh.get(error.details.reason) ?? unknownRefreshToken)),
  // Someone else's session id gets the same answer as an unknown one.
  SESSION_NOT_FOUND: () => fail('NOT_FOUND', messages.sessionNotFound),
  SESSION_ENDED: () => unauthorized('SESSION_REVOKED', messages.sessionRevoked),
  RATE_LIMITED: (error) =>
    error instanceof RateLimitedError ? tooManyAttempts(error) : fail('INTERNAL_SERVER_ERROR', messages.internal),
  BUSY: (error) => (error instanceof BusyError ? busy(error) : fail('INTERNAL_SERVER_ERROR', messages.internal)),
  // A link is not a credential of a session: BAD_REQUEST, with what to do next.
  EMAIL_LINK_REFUSED: (error) => fail('BAD_REQUEST', linkRefusal(error)),
  EMAIL_NOT_VERIFIED: () => unauthorized('EMAIL_NOT_VERIFIED', messages.emailNotVerified),
  PASSKEY_REFUSED: passkeyRefusal,
  // Someone else's passkey id gets the same answer as an unknown one.
  PASSKEY_NOT_FOUND: () => fail('NOT_FOUND', messages.passkeyNotFound),
  LAST_SIGN_IN_METHOD: (error) =>
    fail('PRECONDITION_FAILED', error.details.what === 'identity' ? messages.lastIdentity : messages.lastSignInMethod),
  PASSKEYS_UNAVAILABLE: () => fail('PRECONDITION_FAILED', messages.passkeysUnavailable),
  INVALID_CODE: () => unauthorized('INVALID_CODE', messages.invalidCode),
  PENDING_SIGN_IN_EXPIRED: () => unauthorized('PENDING_SIGN_IN_EXPIRED', messages.pendingSignInExpired),
  TWO_FACTOR_ENABLED: () => fail('CONFLICT', messages.twoFactorEnabled),
  PASSWORD_ALREADY_SET: () => fail('CONFLICT', messages.passwordAlreadySet),
  TWO_FACTOR_NOT_ENABLED: () => fail('PRECONDITION_FAILED', messages.twoFactorNotEnabled),
  // Starting a provider sign-in fails only when the provider cannot be reached (or is not offered);
  // the callback's refusals are redirects to the sign-in page, not errors of a procedure.
  SOCIAL_SIGN_IN_REFUSED: () => fail('SERVICE_UNAVAILABLE', messages.providerUnavailable),
  IDENTITY_NOT_FOUND: () => fail('NOT_FOUND', messages.identityNotFound),
  EMAIL_UNCHANGED: () => fail('BAD_REQUEST', messages.emailUnchanged),
  DELETE_CONFIRMATION_MISMATCH: () => fail('BAD_REQUEST', messages.deleteConfirmationMismatch),
  LAST_ADMIN: () => fail('PRECONDITION_FAILED', messages.lastAdmin),
  USER_NOT_FOUND: () => fail('NOT_FOUND', messages.userNotFound),
};

/**
 * What an error a procedure threw becomes for the client: a core error through the table above;
 * a database that cannot be reached (a lost connection, a server restarting) is
 * SERVICE_UNAVAILABLE, since the client may try again and nothing it sent was wrong; text the
 * database cannot store (SQLSTATE 22021, 22P05: NUL on PostgreSQL) is BAD_REQUEST, behind the
 * contract's own refusal. Any other error is left as it is (tRPC turns the unknown ones into
 * INTERNAL_SERVER_ERROR, whose text the error formatter hides).
 *
 * @example
 * throw toClientError(new AuthError('EMAIL_TAKEN')); // CONFLICT "An account with this email already exists."
 */
export function toClientError(error: unknown): unknown {
  if (error instanceof AuthError) return clientErrors[error.code](error);
  if (isDatabaseUnavailable(error)) {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: messages.unavailable, cause: error });
  }
  if (isUnstorableText(error)) {
    return new TRPCError({ code: 'BAD_REQUEST', message: messages.unstorableText, cause: error });
  }
  return error;
}
