// The two pages of the email change's mailed links, in one chunk: a route's chunk costs the
// sign-in page's bundle a file name in its preload list, and the two share most of their code.
export { ConfirmEmailChangePage } from './confirm-email-change-page';
export { UndoEmailChangePage } from './undo-email-change-page';
