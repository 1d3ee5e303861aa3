import { failurePolicy, getErrorCode, getFailureReason } from '@tessera/auth-client';
import { isTRPCClientError } from '@trpc/client';
import { describeAuthError } from './describe-auth-error';
import type { FieldName, FormProblem } from './form-problem';

/**
 * A refused email change or account deletion (the owner's or an administrator's), in words. The
 * server's refusals of these are sentences written for the person asking ("That is your address
 * already.", "This is the only admin account, …"), so they are shown as they are; a BAD_REQUEST
 * is about what was typed, so `field` (when given) is marked and focused.
 *
 * @example
 * describeAccountRefusal(error, 'newEmail'); // { message: 'That is your address already.', field: 'newEmail' }
 */
export function describeAccountRefusal(error: unknown, field?: FieldName): FormProblem {
  const code = getErrorCode(error);
  if (isTRPCClientError(error) && (code === 'BAD_REQUEST' || code === 'PRECONDITION_FAILED' || code === 'NOT_FOUND')) {
    return code === 'BAD_REQUEST' && field !== undefined
      ? { message: error.message, field }
      : { message: error.message };
  }
  // A proof the server did not take (an ended session is said by the sign-in page it leads to).
  if (code === 'UNAUTHORIZED' && failurePolicy(getFailureReason(error)) !== 'end-session') {
    return { message: 'We could not confirm it is you. Try again.' };
  }
  // Throttled, unreachable, busy: as every form says it.
  return describeAuthError(error, 'sign-in');
}
