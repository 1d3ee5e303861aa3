import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { FormAlert } from '../components/form-alert';
import { ProviderButtons } from '../components/provider-buttons';
import { SubmitButton } from '../components/submit-button';
import { TextField } from '../components/text-field';
import { useFormSubmission } from '../lib/use-form-submission';
import { MIN_PASSWORD_LENGTH, PASSWORD_HINT, validateSignUp } from '../lib/validate';

/** `/sign-up`: creates the account and signs in; the route guard then moves on. */
export function SignUpPage() {
  const { signUp } = useAuth();
  const location = useLocation();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission('sign-up');

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmedName = name.trim();
    void submit(
      () => validateSignUp({ email, password }),
      () => signUp({ email: email.trim(), password, ...(trimmedName === '' ? {} : { name: trimmedName }) }),
    );
  };

  return (
    <AuthCard
      title="Create your account"
      subtitle="It takes less than a minute."
      footer={
        <>
          Already have an account?{' '}
          <Link to="/sign-in" state={location.state}>
            Sign in
          </Link>
        </>
      }
    >
      {/* noValidate: our own checks report through the alert, which every screen reader announces. */}
      <form className="form" onSubmit={onSubmit} noValidate>
        <TextField
          name="name"
          label="Name"
          type="text"
          autoComplete="name"
          maxLength={limits.nameMaxLength}
          hint="Optional."
          value={name}
          onChange={setName}
          problem={problem}
        />
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
        <TextField
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={limits.passwordMaxLength}
          hint={PASSWORD_HINT}
          value={password}
          onChange={setPassword}
          problem={problem}
        />
        <SubmitButton pending={pending}>Create account</SubmitButton>
        {/* Under the button, so the button never moves when the alert comes or goes. */}
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      <ProviderButtons />
    </AuthCard>
  );
}
