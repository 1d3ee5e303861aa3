import { getFailureReason } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { describePasskeyError, isCancelledByPage, passkeyPrompt } from '../lib/passkeys';
import { useFormSubmission } from '../lib/use-form-submission';
import { validateAuthenticatorCode, validateRecoveryCode } from '../lib/validate';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';

/** Props of {@link SecondStepForm}. */
export interface SecondStepFormProps {
  /**
   * The handle the password step answered (`auth.login` or a reset); none after a provider's
   * sign-in, whose handle the server keeps in an HttpOnly cookie.
   */
  pendingSignIn?: string;
  /** The pending sign-in ran out (five minutes, five answers): start again from the first step. */
  onExpired(): void;
  /** Signed in (pages outside the sign-in route's guard move on here). */
  onSignedIn?(): void;
}

/**
 * The second step of a sign-in: a code from the authenticator app (a one-time-code field, digits
 * on phones), or "Use a recovery code", or "Use a passkey instead". On success the session
 * starts and the route guard moves on.
 */
export function SecondStepForm({ pendingSignIn, onExpired, onSignedIn }: SecondStepFormProps) {
  const { completeSignIn } = useAuth();
  const [mode, setMode] = useState<'code' | 'recovery-code'>('code');
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission(
    mode === 'code' ? 'authenticator-code' : 'recovery-code',
  );
  const [passkeyProblem, setPasskeyProblem] = useState<{ message: string; attempt: number } | null>(null);
  const [usingPasskey, setUsingPasskey] = useState(false);
  // The password form this replaced had the focus: the field now asked for takes it (and again
  // when the user switches between a code and a recovery code).
  useEffect(() => {
    document.getElementById(mode === 'code' ? 'code' : 'recoveryCode')?.focus();
  }, [mode]);

  /** Completes the sign-in; an expired pending sign-in sends the user back to the password. */
  const complete = async (input: Parameters<typeof completeSignIn>[0]) => {
    try {
      await completeSignIn(input);
      onSignedIn?.();
    } catch (error) {
      if (getFailureReason(error) === 'PENDING_SIGN_IN_EXPIRED') onExpired();
      else throw error;
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPasskeyProblem(null);
    void (mode === 'code'
      ? submit(
          () => validateAuthenticatorCode(code),
          () => complete({ pendingSignIn, code: code.replace(/\s/g, '') }),
        )
      : submit(
          () => validateRecoveryCode(recoveryCode),
          () => complete({ pendingSignIn, recoveryCode: recoveryCode.trim() }),
        ));
  };

  const proveWithPasskey = async () => {
    setUsingPasskey(true);
    setPasskeyProblem(null);
    try {
      await complete({ pendingSignIn, ceremony: passkeyPrompt({ autofill: false }) });
    } catch (error) {
      if (isCancelledByPage(error)) return;
      const message =
        getFailureReason(error) === 'INVALID_CODE'
          ? 'That passkey is not one of your account’s. Use another, or a code.'
          : describePasskeyError(error, 'sign-in');
      setPasskeyProblem((last) => ({ message, attempt: (last?.attempt ?? 0) + 1 }));
    } finally {
      setUsingPasskey(false);
    }
  };

  return (
    <>
      <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="second-step-title">
        <h2 id="second-step-title" className="section-title">
          Two-step verification
        </h2>
        {mode === 'code' ? (
          <TextField
            key="code"
            name="code"
            label="Code from your authenticator app"
            type="text"
            autoComplete="one-time-code"
            inputMode="numeric"
            spellCheck={false}
            hint="Open your authenticator app and enter the 6-digit code it shows for Tessera."
            required
            maxLength={limits.totpCodeLength + 2}
            value={code}
            onChange={setCode}
            problem={problem}
          />
        ) : (
          <TextField
            key="recoveryCode"
            name="recoveryCode"
            label="Recovery code"
            type="text"
            autoComplete="off"
            spellCheck={false}
            hint="One of the codes you saved when you set up two-step verification. Each works once."
            required
            maxLength={limits.recoveryCodeMaxLength}
            value={recoveryCode}
            onChange={setRecoveryCode}
            problem={problem}
          />
        )}
        <SubmitButton pending={pending}>Verify</SubmitButton>
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      <div className="second-step-options">
        <button
          type="button"
          className="button-link"
          onClick={() => setMode(mode === 'code' ? 'recovery-code' : 'code')}
        >
          {mode === 'code' ? 'Use a recovery code' : 'Use a code from your app'}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={usingPasskey}
          aria-busy={usingPasskey}
          onClick={() => void proveWithPasskey()}
        >
          Use a passkey instead
        </button>
      </div>
      {passkeyProblem === null ? null : (
        <p key={passkeyProblem.attempt} className="alert alert-below" role="alert">
          {passkeyProblem.message}
        </p>
      )}
    </>
  );
}
