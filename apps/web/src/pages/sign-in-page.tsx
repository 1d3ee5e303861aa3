import { needsSecondStep } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, lazy, Suspense, useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { FormAlert } from '../components/form-alert';
import { LoadingScreen } from '../components/loading-screen';
import { ProviderButtons } from '../components/provider-buttons';
import { SubmitButton } from '../components/submit-button';
import { TextField } from '../components/text-field';
import { isSignOutIncomplete } from '../lib/sign-out-state';
import { useFormSubmission } from '../lib/use-form-submission';
import { usePasskeySignIn } from '../lib/use-passkey-sign-in';
import { usePasskeysAvailable } from '../lib/use-passkeys-available';
import { useSignInReasons } from '../lib/use-sign-in-reasons';
import { validateSignIn } from '../lib/validate';

/**
 * The second step's form (a code, a recovery code, a passkey) loads only for the accounts that
 * have one, when the password is sent (or on arrival after a provider): the sign-in page's own
 * bundle does without it, and the form is in by the time the server has checked the password.
 */
const loadSecondStepForm = () =>
  import('../components/second-step-form').then((module) => ({ default: module.SecondStepForm }));
const SecondStepForm = lazy(loadSecondStepForm);

/** `?second_step=<provider>`: the provider proved the first factor, the second is asked here. */
function providerOfSecondStep(search: string): string | null {
  const provider = new URLSearchParams(search).get('second_step');
  return provider === 'github' || provider === 'google' || provider === 'oidc' ? provider : null;
}

/** "with <the provider's name>", once the server has said it (its OIDC_NAME for `oidc`). */
function useSigningInWith(provider: string | null): string {
  const { identityProviders } = useAuth();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (provider === null) return;
    let current = true;
    identityProviders().then(
      (offered) => current && setName(offered.find((option) => option.provider === provider)?.name ?? null),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [provider, identityProviders]);
  return `with ${name ?? 'your provider'}`;
}

/**
 * `/sign-in`: email and password, or a passkey (the button, or the browser's suggestions in the
 * Email field). An account with two-step verification then asks for the second step on the same
 * card (also when a provider signed in first: `?second_step=<provider>`). On success the route
 * guard moves on to the wanted page.
 */
export function SignInPage() {
  const { signIn, endedBecause } = useAuth();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission('sign-in');
  const passkey = usePasskeySignIn();
  const passkeysOffered = usePasskeysAvailable() === true;
  // The first factor was right and the account asks for a second step: the address and its pending
  // sign-in, or a provider's sign-in (its pending sign-in is in an HttpOnly cookie).
  const [secondStep, setSecondStep] = useState<{ email: string; pendingSignIn: string } | 'after provider' | null>(
    () => (providerOfSecondStep(location.search) === null ? null : 'after provider'),
  );
  const withProvider = useSigningInWith(providerOfSecondStep(location.search));
  const [expired, setExpired] = useState(false);
  // How the last session ended, or (back from a provider that did not sign in) why, in one sentence.
  const reasons = useSignInReasons(endedBecause !== null || new URLSearchParams(location.search).has('provider_error'));
  const providerError = reasons?.describeProviderError(location.search) ?? null;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setExpired(false);
    void loadSecondStepForm();
    void submit(
      () => validateSignIn({ email, password }),
      async () => {
        const result = await signIn({ email: email.trim(), password });
        if (needsSecondStep(result)) {
          setPassword('');
          setSecondStep({ email: email.trim(), pendingSignIn: result.pendingSignIn });
        }
      },
    );
  };

  if (secondStep !== null) {
    return (
      <AuthCard
        title="Welcome back"
        subtitle={`Signing in ${secondStep === 'after provider' ? withProvider : `as ${secondStep.email}`}.`}
        footer={
          secondStep === 'after provider' ? (
            // The provider was the first step: the way back is the sign-in form, not a password reset.
            <Link to="/sign-in" replace onClick={() => setSecondStep(null)}>
              Sign in another way
            </Link>
          ) : (
            <Link to="/forgot-password">Forgot password?</Link>
          )
        }
      >
        <Suspense fallback={<LoadingScreen />}>
          <SecondStepForm
            pendingSignIn={secondStep === 'after provider' ? undefined : secondStep.pendingSignIn}
            onExpired={() => {
              setSecondStep(null);
              setExpired(true);
            }}
          />
        </Suspense>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Welcome back"
      subtitle="Sign in to your Tessera account."
      footer={
        <>
          New to Tessera?{' '}
          <Link to="/sign-up" state={location.state}>
            Create account
          </Link>
        </>
      }
    >
      {/* noValidate: our own checks report through the alert, which every screen reader announces. */}
      {/* One line on how the last session ended; an incomplete sign-out is the one to know about. */}
      {isSignOutIncomplete(location.state) ? (
        <p className="notice" role="status">
          You are signed out in this tab, but the server could not be reached to end your session. Sign in and out again
          when you are back online.
        </p>
      ) : providerError !== null ? (
        <p className="notice notice-warning" role="status">
          {providerError}
        </p>
      ) : expired ? (
        <p className="notice" role="status">
          That sign-in took too long or had too many wrong codes. Please sign in again.
        </p>
      ) : endedBecause === null || reasons === null ? null : (
        <p className="notice" role="status">
          {reasons.describeSessionEnd(endedBecause)}
        </p>
      )}
      <form className="form" onSubmit={onSubmit} noValidate>
        <TextField
          name="email"
          label="Email"
          type="email"
          // "username webauthn": the browser suggests saved passkeys here as well as addresses.
          autoComplete={passkeysOffered ? 'username webauthn' : 'username'}
          onFocus={passkeysOffered ? () => void passkey.suggestPasskeys() : undefined}
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
          autoComplete="current-password"
          required
          maxLength={limits.passwordMaxLength}
          value={password}
          onChange={setPassword}
          problem={problem}
        />
        <SubmitButton pending={pending}>Sign in</SubmitButton>
        {/* Under the button, so the button never moves when the alert comes or goes. */}
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      {passkeysOffered ? (
        <>
          <div className="form-divider" aria-hidden="true">
            or
          </div>
          <button
            type="button"
            className="button button-secondary"
            disabled={passkey.pending}
            aria-busy={passkey.pending}
            onClick={() => void passkey.signInWithButton()}
          >
            Sign in with a passkey
          </button>
        </>
      ) : null}
      <ProviderButtons />
      {passkey.problem === null ? null : (
        <p key={passkey.problem.attempt} className="alert alert-below" role="alert">
          {passkey.problem.message}
        </p>
      )}
      {/* After the form: Tab goes from the password straight to "Sign in". */}
      <p className="form-aside">
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </AuthCard>
  );
}
