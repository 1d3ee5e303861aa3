import type { SecondStep } from './types';

/**
 * Whether a sign-in asked for a second step rather than answering a session.
 *
 * @example
 * if (needsSecondStep(result)) return askForCode(result.pendingSignIn);
 */
export function needsSecondStep<T extends object>(result: T | SecondStep): result is SecondStep {
  return 'secondFactorRequired' in result;
}
