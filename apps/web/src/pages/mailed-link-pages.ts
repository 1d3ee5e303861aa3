/**
 * The pages of the mailed links, in one chunk: none is on the way to signing in, and each chunk
 * costs the sign-in page's bundle a file name, incompressible for its hash, in its list of what
 * to preload.
 */
export { ConfirmEmailChangePage } from './confirm-email-change-page';
export { ResetPasswordPage } from './reset-password-page';
export { UndoEmailChangePage } from './undo-email-change-page';
export { VerifyEmailPage } from './verify-email-page';
