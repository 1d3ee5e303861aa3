/** The inputs a form can point an error at; each is also the input's `id`. */
export type FieldName =
  | 'email'
  | 'password'
  | 'name'
  | 'currentPassword'
  | 'newPassword'
  | 'code'
  | 'recoveryCode'
  /** The Account page's new address, and the address typed again to delete the account. */
  | 'newEmail'
  | 'confirmEmail';

/** The forms that submit to the auth procedures. */
export type AuthForm =
  | 'sign-in'
  | 'sign-up'
  | 'change-password'
  | 'forgot-password'
  | 'reset-password'
  /** A code from the authenticator app (the second step of a sign-in, turning two-step verification on). */
  | 'authenticator-code'
  | 'recovery-code';

/** What went wrong with a submission, in words for the user, and which input to fix if any. */
export interface FormProblem {
  message: string;
  /** The input at fault: marked invalid, and focused. */
  field?: FieldName;
  /**
   * Where the keyboard goes when no single input is at fault but one is the place to retry (a
   * wrong password or email: the password); not marked invalid. Neither set: the message.
   */
  retryAt?: FieldName;
}
