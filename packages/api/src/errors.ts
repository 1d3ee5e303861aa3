import { RateLimitedError } from '@tessera/auth';
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
  sessionExpired: 'Your session has ended. Please sign in again.',
  emailTaken: 'An account with this email already exists.',
  crossSite: 'Cross-site request refused.',
  sessionNotFound: 'No such session.',
  tooManyAttempts: 'Too many attempts. Please wait and try again.',
  internal: 'Something went wrong on our side.',
  unavailable: 'The service is briefly unavailable. Please try again.',
} as const;

/**
 * @example
 * throw fail('UNAUTHORIZED', messages.invalidCredentials);
 */
export function fail(code: TRPC_ERROR_CODE_KEY, message: string): TRPCError {
  return new TRPCError({ code, message });
}

/**
 * TOO_MANY_REQUESTS, keeping the limiter's verdict as the cause: the server turns its
 * `retryAfterSeconds` into a `Retry-After` header.
 *
 * @example
 * if (error instanceof RateLimitedError) throw tooManyAttempts(error);
 */
export function tooManyAttempts(cause: RateLimitedError): TRPCError {
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: messages.tooManyAttempts, cause });
}

/**
 * Seconds a client should wait, from the errors of one (possibly batched) response, or null.
 *
 * @example
 * const seconds = retryAfterSeconds(errors); // in responseMeta
 */
export function retryAfterSeconds(errors: readonly TRPCError[]): number | null {
  const waits = errors.flatMap((error) =>
    error.cause instanceof RateLimitedError ? [error.cause.retryAfterSeconds] : [],
  );
  return waits.length > 0 ? Math.max(...waits) : null;
}
