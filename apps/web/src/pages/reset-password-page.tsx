import { needsSecondStep } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { FormAlert } from '../components/form-alert';
import type { AfterReset } from '../components/passkeys-section';
import { SecondStepForm } from '../components/second-step-form';
import { SubmitButton } from '../components/submit-button';
import { TextField } from '../components/text-field';
import { useLinkToken } from '../lib/link-token';
import { useFormSubmission } from '../lib/use-form-submission';
import { PASSWORD_HINT, validateNewPassword } from '../lib/validate';

/**
 * `/reset-password#token=…`, opened from the reset mail: a new password, then signed in. The
 * token leaves the address bar as the page opens.
 */
export function ResetPasswordPage() {
  const { resetPassword } = useAuth();
  const navigate = useNavigate();
  // Taken once, on first render: the fragment is gone afterwards.
  const token = useLinkToken();
  const [newPassword, setNewPassword] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission('reset-password');
  const askAgain = <Link to="/forgot-password">Ask for a new link</Link>;
  // The password is set; the account asks for its second step before signing in.
  const [secondStep, setSecondStep] = useState<string | null>(null);

  if (token === null) {
    return (
      <AuthCard title="Set a new password" footer={askAgain}>
        <p className="notice" role="status">
          This page opens from the link in a password-reset mail, and that link works once.
        </p>
      </AuthCard>
    );
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit(
      () => validateNewPassword({ newPassword }),
      async () => {
        const { removedPasskeys, keptPasskeys, ...result } = await resetPassword({ token, newPassword });
        if (needsSecondStep(result)) {
          setSecondStep(result.pendingSignIn);
          return;
        }
        // With passkeys in play, the Account page says what the reset removed, or lists those kept to check.
        const afterReset: AfterReset = { removedPasskeys };
        if (removedPasskeys + keptPasskeys === 0) await navigate('/', { replace: true });
        else await navigate('/account', { replace: true, state: { afterReset } });
      },
    );
  };

  if (secondStep !== null) {
    return (
      <AuthCard
        title="Set a new password"
        subtitle="Your new password is set."
        footer={<Link to="/sign-in">Sign in</Link>}
      >
        <SecondStepForm
          pendingSignIn={secondStep}
          onExpired={() => void navigate('/sign-in', { replace: true })}
          onSignedIn={() => void navigate('/', { replace: true })}
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Set a new password"
      subtitle="Choose a new password. Every other device signed in to your account will be signed out."
      footer={askAgain}
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <TextField
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          required
          maxLength={limits.passwordMaxLength}
          value={newPassword}
          onChange={setNewPassword}
          problem={problem}
        />
        <SubmitButton pending={pending}>Set new password</SubmitButton>
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
    </AuthCard>
  );
}
