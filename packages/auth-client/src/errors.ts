import type { FailureReason, SessionEndCause } from '@tessera/contract';

export type { FailureReason };

import { isTRPCClientError } from '@trpc/client';

/**
 * Why `refresh()` rejects when the session ended (in this tab or another) while the refresh waited
 * for its turn: asking the server then could only bring back a session the user has just ended.
 * Counts as a credential error, never as a transient one.
 *
 * @example
 * await auth.refresh().catch((error) => {
 *   if (error instanceof SignedOutError) showSignIn();
 * });
 */
export class SignedOutError extends Error {
  readonly code = 'SIGNED_OUT';

  constructor() {
    super('The session ended while the refresh was waiting for its turn.');
    this.name = 'SignedOutError';
  }
}

/**
 * The tRPC error code (`'UNAUTHORIZED'`, `'CONFLICT'`, …) carried by an error, or `undefined`
 * when the server never answered in tRPC's shape (offline, proxy error page, aborted request).
 *
 * @example
 * if (getErrorCode(error) === 'CONFLICT') show('An account with this email already exists.');
 */
export function getErrorCode(error: unknown): string | undefined {
  if (!isTRPCClientError(error)) return undefined;
  const code: unknown = error.data?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The HTTP status the server reported for a tRPC error, if any.
 *
 * @example
 * getHttpStatus(error) === 429;
 */
export function getHttpStatus(error: unknown): number | undefined {
  if (!isTRPCClientError(error)) return undefined;
  const status: unknown = error.data?.httpStatus;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True when the server rejected the credential itself. Only this may sign a user out:
 * anything else (offline, a restart, a 5xx) says nothing about whether the session is valid.
 *
 * @example
 * if (isCredentialError(error)) becomeAnonymous();
 */
export function isCredentialError(error: unknown): boolean {
  if (error instanceof SignedOutError) return true;
  const code = getErrorCode(error);
  return code === 'UNAUTHORIZED' || code === 'FORBIDDEN';
}

/**
 * True for failures worth retrying: no tRPC answer at all (network) or a server-side 5xx.
 * Throttling (429) is deliberately excluded: retrying it only extends the lock-out.
 *
 * @example
 * await retryWithBackoff(call, { shouldRetry: isTransientError });
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof SignedOutError) return false;
  if (getErrorCode(error) === undefined) return true;
  const status = getHttpStatus(error);
  return status !== undefined && status >= 500;
}

/**
 * What the client does when a call through its link is refused:
 * - `refresh`: the access token ran out (or never left): refresh once, retry once;
 * - `end-session`: the session is over on the server: every tab signs out at once;
 * - `report`: nothing to repair here; the caller gets the error.
 */
export type FailurePolicy = 'refresh' | 'end-session' | 'report';

/**
 * The policy for every reason the server can give: a `Record` over the server's closed union, so
 * a reason added there fails to compile here until it is handled.
 */
const FAILURE_POLICY: Readonly<Record<FailureReason, FailurePolicy>> = {
  ACCESS_TOKEN_MISSING: 'refresh',
  ACCESS_TOKEN_EXPIRED: 'refresh',
  // A forged or foreign token: a refresh would only hide the attack.
  ACCESS_TOKEN_INVALID: 'report',
  SESSION_REVOKED: 'end-session',
  REFRESH_TOKEN_REUSED: 'end-session',
  SESSION_EXPIRED: 'end-session',
  REFRESH_TOKEN_MISSING: 'end-session',
  REFRESH_TOKEN_INVALID: 'end-session',
  INVALID_CREDENTIALS: 'report',
  EMAIL_NOT_VERIFIED: 'report',
  RATE_LIMITED: 'report',
  // The session stays: the app asks for the password or a passkey (`reauthenticate`), then retries.
  REAUTH_REQUIRED: 'report',
  // A second step to type again; a pending sign-in to start again from the password; an admin
  // to set up two-step verification. None of them ends the session.
  INVALID_CODE: 'report',
  PENDING_SIGN_IN_EXPIRED: 'report',
  TWO_FACTOR_REQUIRED: 'report',
  // DPoP (the session bound to this browser's device key). Our fetch sends a proof whenever the
  // browser has a key; none went because this browser keeps none (no IndexedDB, or it failed).
  // A refresh would go without a proof too: nothing here can repair it.
  DPOP_PROOF_MISSING: 'report',
  // The likely honest cause: the token is bound to a key this tab no longer uses (another tab
  // signed out and in, replacing the key, and its message never came). A refresh, made with the
  // key stored now, either answers a token bound to that key (repaired) or is refused because
  // the session is bound to a key this browser has lost, which signs every tab out, honestly:
  // no tab could refresh it. A clock far off (proofs too old or from the future) fails that
  // refresh as well and signs out here; the server's session and cookie are untouched, so a
  // reload once the clock is right restores it. Not `end-session`: a refused proof says nothing
  // about the session itself, and the refresh finds out what can be saved.
  DPOP_PROOF_INVALID: 'refresh',
  // Our fetch already retried once with the nonce the server asked for; a second refusal is not
  // something a refresh repairs (it would need a nonce as well).
  DPOP_NONCE_REQUIRED: 'report',
};

/**
 * Why a session ended, for the sign-in page to say in one line: the server's reasons (revoked
 * from another device, reuse detected, expired), refined by what ended it when the server says
 * (`data.sessionEnd`: an administrator, a role change, a password change or reset, a reset of
 * two-step verification), or the user's own sign-out, in this tab or another of this browser
 * (`SIGNED_OUT`), or on every device (`SIGNED_OUT_EVERYWHERE`). A first visit with no session has none.
 *
 * @example
 * const reason: SessionEndReason = 'ENDED_BY_ADMIN';
 */
export type SessionEndReason =
  | Extract<FailureReason, 'SESSION_REVOKED' | 'REFRESH_TOKEN_REUSED' | 'SESSION_EXPIRED'>
  | 'SIGNED_OUT'
  | 'SIGNED_OUT_EVERYWHERE'
  | 'ENDED_BY_ADMIN'
  | 'ROLE_CHANGED'
  | 'PASSWORD_CHANGED'
  | 'PASSWORD_RESET'
  | 'TWO_FACTOR_RESET'
  | 'EMAIL_CHANGED'
  | 'EMAIL_CHANGE_UNDONE'
  | 'ACCOUNT_DELETED';

/** What a `SESSION_REVOKED` is, once the server has said what ended it. */
const REVOKED_BECAUSE: Readonly<Record<SessionEndCause, SessionEndReason>> = {
  signed_out: 'SIGNED_OUT',
  signed_out_everywhere: 'SIGNED_OUT_EVERYWHERE',
  ended_from_another_device: 'SESSION_REVOKED',
  ended_by_admin: 'ENDED_BY_ADMIN',
  role_changed: 'ROLE_CHANGED',
  password_changed: 'PASSWORD_CHANGED',
  password_reset: 'PASSWORD_RESET',
  two_factor_reset: 'TWO_FACTOR_RESET',
  reuse_detected: 'REFRESH_TOKEN_REUSED',
  email_changed: 'EMAIL_CHANGED',
  email_change_undone: 'EMAIL_CHANGE_UNDONE',
  account_deleted: 'ACCOUNT_DELETED',
};

const SESSION_END_REASONS: readonly SessionEndReason[] = [
  'SESSION_REVOKED',
  'REFRESH_TOKEN_REUSED',
  'SESSION_EXPIRED',
  'SIGNED_OUT',
  'SIGNED_OUT_EVERYWHERE',
  'ENDED_BY_ADMIN',
  'ROLE_CHANGED',
  'PASSWORD_CHANGED',
  'PASSWORD_RESET',
  'TWO_FACTOR_RESET',
  'EMAIL_CHANGED',
  'EMAIL_CHANGE_UNDONE',
  'ACCOUNT_DELETED',
];

const isFailureReason = (value: unknown): value is FailureReason =>
  typeof value === 'string' && Object.hasOwn(FAILURE_POLICY, value);

/**
 * The server's `data.reason`, if the error carries one this client knows.
 *
 * @example
 * getFailureReason(error); // 'SESSION_REVOKED'
 */
export function getFailureReason(error: unknown): FailureReason | undefined {
  if (!isTRPCClientError(error)) return undefined;
  const reason: unknown = error.data?.reason;
  return isFailureReason(reason) ? reason : undefined;
}

/**
 * What ended the session, as a `SESSION_REVOKED` refusal says in `data.sessionEnd`; null if it
 * says nothing this client knows.
 *
 * @example
 * getSessionEndCause(error); // 'ended_by_admin'
 */
export function getSessionEndCause(error: unknown): SessionEndCause | null {
  if (!isTRPCClientError(error)) return null;
  const cause: unknown = error.data?.sessionEnd;
  // The table's keys are every cause (a Record over the contract's union).
  return typeof cause === 'string' && Object.hasOwn(REVOKED_BECAUSE, cause) ? (cause as SessionEndCause) : null;
}

/**
 * What to do about a refused call; one without a known reason is reported as it is.
 *
 * @example
 * if (failurePolicy(getFailureReason(error)) === 'refresh') await auth.refresh();
 */
export function failurePolicy(reason: FailureReason | undefined): FailurePolicy {
  return reason === undefined ? 'report' : FAILURE_POLICY[reason];
}

/**
 * The reason to tell the user why their session ended, when there is one to tell: a
 * `SESSION_REVOKED` the server explained (`cause`) becomes what ended it.
 *
 * @example
 * sessionEndReason('REFRESH_TOKEN_REUSED'); // 'REFRESH_TOKEN_REUSED'
 * sessionEndReason('SESSION_REVOKED', 'password_reset'); // 'PASSWORD_RESET'
 * sessionEndReason('REFRESH_TOKEN_MISSING'); // null
 */
export function sessionEndReason(reason: unknown, cause: SessionEndCause | null = null): SessionEndReason | null {
  if (reason === 'SESSION_REVOKED' && cause !== null) return REVOKED_BECAUSE[cause];
  return SESSION_END_REASONS.find((known) => known === reason) ?? null;
}
