import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { EmailAddress } from '../components/email-address';
import { FormAlert } from '../components/form-alert';
import { SubmitButton } from '../components/submit-button';
import { TextField } from '../components/text-field';
import { useFormSubmission } from '../lib/use-form-submission';
import { validateEmail } from '../lib/validate';

/**
 * `/forgot-password`: an address, then "Check your email". The confirmation reads the same for
 * every address: whether it has an account is never shown here.
 */
export function ForgotPasswordPage() {
  const { requestPasswordReset } = useAuth();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { pending, problem, attempt, submit } = useFormSubmission('forgot-password');

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const address = email.trim();
    void submit(
      () => validateEmail({ email }),
      async () => {
        await requestPasswordReset(address);
        setSentTo(address);
      },
    );
  };

  if (sentTo !== null) {
    return (
      <AuthCard title="Check your email" footer={<Link to="/sign-in">Back to sign in</Link>}>
        <p className="notice" role="status">
          If an account uses <EmailAddress value={sentTo} />, a link to set a new password is on its way. It works once,
          for a limited time (the mail says how long). Nothing arrived? Check your spam folder, or ask again in a few
          minutes.
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Forgot your password?"
      subtitle="Enter your email address and we will send you a link to set a new one."
      footer={<Link to="/sign-in">Back to sign in</Link>}
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <TextField
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          required
          maxLength={limits.emailMaxLength}
          value={email}
          onChange={setEmail}
          problem={problem}
        />
        <SubmitButton pending={pending}>Send reset link</SubmitButton>
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
    </AuthCard>
  );
}
