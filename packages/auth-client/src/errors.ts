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
