import type { FormProblem } from './form-problem';
import { validateEmail } from './validate';

/**
 * An address as the server keeps it (trimmed, NFKC, lower case), so that what the page compares
 * is what the server will: `' Ada@Example.com'` is `ada@example.com`.
 */
const normalised = (email: string) => email.trim().normalize('NFKC').toLowerCase();

/**
 * Whether a typed address is the account's, as the server will judge it.
 *
 * @example
 * sameAddress(' Ada@Example.com ', 'ada@example.com'); // true
 */
export function sameAddress(typed: string, email: string): boolean {
  return normalised(typed) === normalised(email);
}

/**
 * Client-side checks for the Account page's new address: something like an address, and not the
 * one the account has already.
 *
 * @example
 * validateNewEmail({ newEmail: 'ada@example.com', currentEmail: 'ada@example.com' }); // { message: 'That is your address already.', … }
 */
export function validateNewEmail(input: { newEmail: string; currentEmail: string }): FormProblem | null {
  if (input.newEmail.trim() === '') return { message: 'Enter your new email address.', field: 'newEmail' };
  const invalid = validateEmail({ email: input.newEmail });
  if (invalid !== null) return { ...invalid, field: 'newEmail' };
  return sameAddress(input.newEmail, input.currentEmail)
    ? { message: 'That is your address already.', field: 'newEmail' }
    : null;
}
