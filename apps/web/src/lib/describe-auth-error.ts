import { failurePolicy, getErrorCode, getFailureReason } from '@tessera/auth-client';
import type { AppRouter } from '@tessera/server';
import { isTRPCClientError } from '@trpc/client';
import type { AuthForm, FieldName, FormProblem } from './form-problem';

const FIELDS: readonly FieldName[] = [
  'email',
  'password',
  'name',
  'currentPassword',
  'newPassword',
  'code',
  'recoveryCode',
];

const UNAUTHORIZED_PROBLEM: Record<AuthForm, FormProblem> = {
  // Either may be wrong (the server will not say which), so neither is marked; retyping starts at the password.
  'sign-in': { message: 'Email or password is incorrect.', retryAt: 'password' },
  'sign-up': { message: 'We could not create your account. Try again.' },
  'change-password': { message: 'Your current password is incorrect.', field: 'currentPassword' },
  'forgot-password': { message: 'We could not send the link. Try again.' },
  'reset-password': { message: 'We could not set your password. Ask for a new link.' },
  'authenticator-code': {
    message: 'That code is not right or was already used. Enter the newest code from your authenticator app.',
    field: 'code',
  },
  'recovery-code': { message: 'That recovery code is not right or was already used.', field: 'recoveryCode' },
};
const isFieldName = (value: unknown): value is FieldName => FIELDS.some((field) => field === value);

/**
 * Turns a failed sign-in or sign-up into a message a person can act on. The server's codes are
 * stable; its messages are not written for this screen, except the per-field input messages,
 * which are (e.g. "Password must be at least 8 characters.").
 *
 * @example
 * describeAuthError(error, 'sign-in'); // { message: 'Email or password is incorrect.' }
 */
export function describeAuthError(error: unknown, form: AuthForm): FormProblem {
  switch (getErrorCode(error)) {
    case 'UNAUTHORIZED':
      if (getFailureReason(error) === 'EMAIL_NOT_VERIFIED') {
        return { message: 'Confirm your email address first: open the link we sent you, then sign in.' };
      }
      if (getFailureReason(error) === 'PENDING_SIGN_IN_EXPIRED') {
        return { message: 'This sign-in has expired. Enter your email and password again.' };
      }
      // Only wrong credentials are the form's fault; anything else means the session is over.
      return failurePolicy(getFailureReason(error)) === 'end-session'
        ? { message: 'Your session has ended. Please sign in again.' }
        : UNAUTHORIZED_PROBLEM[form];

    case 'CONFLICT':
      return { message: 'An account with this email already exists.', field: 'email' };
    case 'TOO_MANY_REQUESTS':
      return { message: `Too many attempts. ${tryAgainIn(retryAfterSeconds(error))}` };
    case 'BAD_REQUEST':
      // A refused reset link: the server says why (expired, used, replaced) and what to do.
      if (form === 'reset-password' && isTRPCClientError(error) && fieldProblem(error) === undefined) {
        return { message: error.message };
      }
      return fieldProblem(error) ?? { message: 'Check the details you entered and try again.' };
    case 'SERVICE_UNAVAILABLE':
      return { message: 'Tessera is busy right now. Try again in a moment.' };
    case 'PAYLOAD_TOO_LARGE':
      return { message: 'What you entered is too long. Shorten it and try again.' };
    case 'FORBIDDEN':
      // The server's message names the origin to open instead (e.g. localhost, not 127.0.0.1).
      return { message: isTRPCClientError(error) ? error.message : 'This request was refused.' };
    case undefined:
      return { message: 'Could not reach Tessera. Check your connection and try again.' };
    default:
      return { message: 'Something went wrong on our side. Try again in a moment.' };
  }
}

/** The first invalid field the server named, with its message. */
function fieldProblem(error: unknown): FormProblem | undefined {
  if (!isTRPCClientError<AppRouter>(error)) return undefined;
  const data = error.data;
  if (!data || !('fieldErrors' in data)) return undefined;
  const first = data.fieldErrors.find((fieldError) => isFieldName(fieldError.field));
  if (first === undefined || !isFieldName(first.field)) return undefined;
  return { message: first.message, field: first.field };
}

/** The server's `Retry-After`, in seconds, when the answer carried one. */
function retryAfterSeconds(error: unknown): number | null {
  if (!isTRPCClientError(error)) return null;
  const response: unknown = error.meta?.response;
  if (!(response instanceof Response)) return null;
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/**
 * When to come back, in words: "Try again in 15 minutes." (rounded up).
 *
 * @example
 * tryAgainIn(899); // 'Try again in 15 minutes.'
 */
export function tryAgainIn(seconds: number | null): string {
  if (seconds === null) return 'Try again later.';
  if (seconds < 60) return `Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
