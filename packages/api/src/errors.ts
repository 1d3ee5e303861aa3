import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * Client-facing messages, one per situation. They are deliberately generic: which check failed
 * (unknown email or wrong password, expired or replayed token) is for the server log only.
 */
export const messages = {
  invalidCredentials: 'Invalid email or password.',
  authenticationRequired: 'Authentication required.',
  sessionExpired: 'Your session has ended. Please sign in again.',
  emailTaken: 'An account with this email already exists.',
  crossSite: 'Cross-site request refused.',
  sessionNotFound: 'No such session.',
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
