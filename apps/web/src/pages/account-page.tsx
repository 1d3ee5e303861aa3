import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { ConnectedAccountsSection } from '../components/connected-accounts-section';
import { EmailAddress } from '../components/email-address';
import { FormAlert } from '../components/form-alert';
import { type AfterReset, PasskeysSection } from '../components/passkeys-section';
import { SubmitButton } from '../components/submit-button';
import { TextField } from '../components/text-field';
import { TwoFactorSection } from '../components/two-factor-section';
import { useFormSubmission } from '../lib/use-form-submission';
import { MIN_PASSWORD_LENGTH, validateChangePassword } from '../lib/validate';

/** The reset page's hand-over in the router's state, if this visit comes from there. */
function afterResetIn(state: unknown): AfterReset | null {
  if (typeof state !== 'object' || state === null || !('afterReset' in state)) return null;
  const { afterReset } = state;
  return typeof afterReset === 'object' &&
    afterReset !== null &&
    'removedPasskeys' in afterReset &&
    typeof afterReset.removedPasskeys === 'number'
    ? { removedPasskeys: afterReset.removedPasskeys }
    : null;
}

/**
 * `/account`: change the password (which signs out every other device), two-step verification,
 * and passkeys.
 */
export function AccountPage() {
  const { user, changePassword } = useAuth();
  const afterReset = afterResetIn(useLocation().state);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [changed, setChanged] = useState(false);
  const { pending, problem, attempt, submit } = useFormSubmission('change-password');

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChanged(false);
    void submit(
      () => validateChangePassword({ currentPassword, newPassword }),
      async () => {
        await changePassword({ currentPassword, newPassword });
        setCurrentPassword('');
        setNewPassword('');
        setChanged(true);
      },
    );
  };

  return (
    <AuthCard
      title="Account"
      subtitle={user ? <EmailAddress value={user.email} /> : undefined}
      footer={<Link to="/">Home</Link>}
    >
      {changed ? (
        <p className="notice" role="status">
          Password changed. Every other device has been signed out.
        </p>
      ) : null}
      <form className="form" onSubmit={onSubmit} noValidate>
        <TextField
          name="currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={limits.passwordMaxLength}
          value={currentPassword}
          onChange={setCurrentPassword}
          problem={problem}
        />
        <TextField
          name="newPassword"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={limits.passwordMaxLength}
          hint={`${MIN_PASSWORD_LENGTH} to ${limits.passwordMaxLength} characters.`}
          value={newPassword}
          onChange={setNewPassword}
          problem={problem}
        />
        <SubmitButton pending={pending}>Change password</SubmitButton>
        {/* Under the button, so the button never moves when the alert comes or goes. */}
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      <TwoFactorSection />
      <PasskeysSection afterReset={afterReset} />
      <ConnectedAccountsSection />
    </AuthCard>
  );
}
