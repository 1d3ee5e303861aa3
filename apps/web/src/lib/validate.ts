import { limits } from '@tessera/contract';
import type { FormProblem } from './form-problem';

/** The server's minimum, so people learn about it before a round trip, not instead of one. */
export const MIN_PASSWORD_LENGTH = limits.passwordMinLength;

/** The one hint under every field that sets a password (sign-up, reset, change, set). */
export const PASSWORD_HINT = `${MIN_PASSWORD_LENGTH} to ${limits.passwordMaxLength} characters.`;

// Deliberately loose: the server has the final word; this only catches obvious slips.
const looksLikeEmail = (email: string) => /^[^\s@]+@[^\s@]+$/.test(email);

function checkEmail(email: string): FormProblem | null {
  if (email.trim() === '') return { message: 'Enter your email address.', field: 'email' };
  if (!looksLikeEmail(email.trim())) return { message: 'Enter a valid email address.', field: 'email' };
  return null;
}

/**
 * Client-side checks for the sign-in form; the first problem found, or `null`.
 *
 * @example
 * validateSignIn({ email: '', password: 'x' }); // { message: 'Enter your email address.', field: 'email' }
 */
export function validateSignIn(input: { email: string; password: string }): FormProblem | null {
  return (
    checkEmail(input.email) ?? (input.password === '' ? { message: 'Enter your password.', field: 'password' } : null)
  );
}

const CODE_PATTERN = new RegExp(`^\\d{${limits.totpCodeLength}}$`);

/**
 * Client-side checks for a code from an authenticator app: six digits (spaces allowed, as apps show them).
 *
 * @example
 * validateAuthenticatorCode('123 456'); // null
 */
export function validateAuthenticatorCode(code: string): FormProblem | null {
  return CODE_PATTERN.test(code.replace(/\s/g, ''))
    ? null
    : { message: `Enter the ${limits.totpCodeLength}-digit code from your authenticator app.`, field: 'code' };
}

/**
 * Client-side checks for a recovery code: something typed, no longer than a code can be.
 *
 * @example
 * validateRecoveryCode(''); // { message: 'Enter one of your recovery codes.', field: 'recoveryCode' }
 */
export function validateRecoveryCode(code: string): FormProblem | null {
  if (code.trim() === '') return { message: 'Enter one of your recovery codes.', field: 'recoveryCode' };
  return code.length > limits.recoveryCodeMaxLength
    ? { message: 'That is not a recovery code. Check it and try again.', field: 'recoveryCode' }
    : null;
}

/**
 * Client-side checks for the sign-up form; the first problem found, or `null`.
 *
 * @example
 * validateSignUp({ email: 'a@b.c', password: 'short' }); // { …, field: 'password' }
 */
export function validateSignUp(input: { email: string; password: string }): FormProblem | null {
  const tooShort = input.password.length < MIN_PASSWORD_LENGTH;
  return (
    checkEmail(input.email) ??
    (tooShort ? { message: `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`, field: 'password' } : null)
  );
}

/**
 * Client-side checks for the change-password form; the first problem found, or `null`.
 *
 * @example
 * validateChangePassword({ currentPassword: '', newPassword: 'long enough' }); // { …, field: 'currentPassword' }
 */
export function validateChangePassword(input: { currentPassword: string; newPassword: string }): FormProblem | null {
  if (input.currentPassword === '') return { message: 'Enter your current password.', field: 'currentPassword' };
  if (input.newPassword.length < MIN_PASSWORD_LENGTH) {
    return { message: `New password must be at least ${MIN_PASSWORD_LENGTH} characters.`, field: 'newPassword' };
  }
  if (input.newPassword === input.currentPassword) {
    return { message: 'The new password must differ from the current one.', field: 'newPassword' };
  }
  return null;
}

/**
 * Client-side check for the forgot-password form.
 *
 * @example
 * validateEmail({ email: '' }); // { message: 'Enter your email address.', field: 'email' }
 */
export function validateEmail(input: { email: string }): FormProblem | null {
  return checkEmail(input.email);
}

/**
 * Client-side check for a new password: on the reset page, and a first one on the Account page.
 *
 * @example
 * validateNewPassword({ newPassword: 'short' }); // { …, field: 'newPassword' }
 */
export function validateNewPassword(input: { newPassword: string }): FormProblem | null {
  return input.newPassword.length < MIN_PASSWORD_LENGTH
    ? { message: `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`, field: 'newPassword' }
    : null;
}
