import { needsSecondStep, type SecondStep } from '@tessera/auth';

/**
 * A sign-in's session, failing the test when the sign-in asked for a second step instead (the
 * account has two-step verification): for tests of accounts that have none.
 *
 * @example
 * const session = signedInOnly(await client.auth.login.mutate(credentials));
 */
export function signedInOnly<A extends object>(answer: A): Exclude<A, SecondStep> {
  if (needsSecondStep(answer)) throw new Error('The sign-in asked for a second step');
  // Not a second step, so one of the union's other members.
  return answer as Exclude<A, SecondStep>;
}
