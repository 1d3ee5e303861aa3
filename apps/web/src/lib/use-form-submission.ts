import { useEffect, useState } from 'react';
import { FORM_ALERT_ID } from '../components/form-alert';
import { describeAuthError } from './describe-auth-error';
import type { AuthForm, FormProblem } from './form-problem';

/** State and submit handler shared by the app's forms. */
export interface FormSubmission {
  pending: boolean;
  problem: FormProblem | null;
  /** Changes on every failed attempt: a key for the alert, so a repeated message is announced again. */
  attempt: number;
  submit(validate: () => FormProblem | null, action: () => Promise<unknown>): Promise<void>;
}

/**
 * Runs a form's action with client-side checks first, a pending flag (to disable the submit
 * button) and a readable problem on failure. The field with the problem gets focus, or else the
 * message, so keyboard and screen-reader users land where the fix is needed. A failure is put in
 * words for `form` (one of the auth forms), or by `form` itself when it is a function (a form
 * whose server refusals are written for it).
 *
 * @example
 * const { pending, problem, submit } = useFormSubmission('sign-in');
 * onSubmit={(e) => { e.preventDefault(); void submit(() => validateSignIn(values), () => signIn(values)); }}
 */
export function useFormSubmission(form: AuthForm | ((error: unknown) => FormProblem)): FormSubmission {
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [attempt, setAttempt] = useState(0);

  // After a failed submit the keyboard stays in the form: on the field to fix, or on the message
  // (the disabled submit button had dropped focus to the page).
  useEffect(() => {
    if (problem === null) return;
    const target = document.getElementById(problem.field ?? problem.retryAt ?? FORM_ALERT_ID);
    target?.focus();
    // A password to retype is selected, so typing replaces it.
    if (target instanceof HTMLInputElement && problem.retryAt !== undefined) target.select();
  }, [problem]);

  const fail = (next: FormProblem) => {
    setProblem(next);
    setAttempt((n) => n + 1);
  };

  return {
    pending,
    problem,
    attempt,
    async submit(validate, action) {
      if (pending) return;
      const invalid = validate();
      if (invalid !== null) {
        fail(invalid);
        return;
      }
      setPending(true);
      setProblem(null);
      try {
        // On success the auth state flips and the route guard moves on: nothing else to do here.
        await action();
      } catch (error) {
        fail(typeof form === 'function' ? form(error) : describeAuthError(error, form));
      } finally {
        setPending(false);
      }
    },
  };
}
