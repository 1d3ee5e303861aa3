import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { useFormSubmission } from '../lib/use-form-submission';
import { useStepUp } from '../lib/use-step-up';
import { MIN_PASSWORD_LENGTH, PASSWORD_HINT, validateChangePassword, validateNewPassword } from '../lib/validate';
import { useTRPC } from '../trpc';
import { FormAlert } from './form-alert';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';

/**
 * The Account page's password: "Change password" (the current one, then the new), or, for an
 * account a provider made without one, "Set a password" (after a fresh proof) so the address and a
 * password sign in too. Either signs out every other device.
 */
export function PasswordSection() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.password.status.queryOptions());
  const [justSet, setJustSet] = useState(false);
  // Most accounts have one: the change form shows until the server says otherwise.
  const heading = (
    <h2 id="password-title" className="section-title">
      Password
    </h2>
  );
  if (status.data?.hasPassword === false) {
    return (
      <>
        {heading}
        <SetPasswordForm onSet={() => setJustSet(true)} />
      </>
    );
  }
  return (
    <>
      {heading}
      {justSet ? (
        <p className="notice" role="status">
          Password set. You can now also sign in with your email address and this password. Every other device has been
          signed out.
        </p>
      ) : null}
      <ChangePasswordForm />
    </>
  );
}

function ChangePasswordForm() {
  const { changePassword } = useAuth();
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
    <>
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
        <NewPasswordField value={newPassword} onChange={setNewPassword} problem={problem} />
        <SubmitButton pending={pending}>Change password</SubmitButton>
        {/* Under the button, so the button never moves when the alert comes or goes. */}
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
    </>
  );
}

function SetPasswordForm({ onSet }: { onSet(): void }) {
  const { setPassword } = useAuth();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [newPassword, setNewPassword] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission('change-password');
  const stepUp = useStepUp();

  const save = () =>
    submit(
      () => validateNewPassword({ newPassword }),
      async () => {
        try {
          await setPassword({ newPassword });
        } catch (error) {
          // An old proof: the dialog asks for a fresh one, then this runs again as it was.
          if (stepUp.refused(error, 'set a password', () => void save())) return;
          throw error;
        }
        setNewPassword('');
        onSet();
        await queryClient.invalidateQueries({ queryKey: trpc.auth.password.status.queryKey() });
      },
    );

  return (
    <section aria-labelledby="set-password-title">
      <h2 id="set-password-title" className="section-title">
        Set a password
      </h2>
      <p className="section-hint">
        You sign in through a connected account. With a password you can also sign in with your email address. Every
        other device is signed out.
      </p>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
        noValidate
      >
        <NewPasswordField value={newPassword} onChange={setNewPassword} problem={problem} />
        <SubmitButton pending={pending}>Set password</SubmitButton>
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      {stepUp.dialog}
    </section>
  );
}

function NewPasswordField(props: {
  value: string;
  onChange(value: string): void;
  problem: ReturnType<typeof useFormSubmission>['problem'];
}) {
  return (
    <TextField
      name="newPassword"
      label="New password"
      type="password"
      autoComplete="new-password"
      required
      minLength={MIN_PASSWORD_LENGTH}
      maxLength={limits.passwordMaxLength}
      hint={PASSWORD_HINT}
      value={props.value}
      onChange={props.onChange}
      problem={props.problem}
    />
  );
}
