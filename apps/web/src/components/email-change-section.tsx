import { useAuth, useAuthClient } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { validateNewEmail } from '../lib/account-address';
import { describeAccountRefusal } from '../lib/describe-account-refusal';
import { useFormSubmission } from '../lib/use-form-submission';
import { useStepUp } from '../lib/use-step-up';
import { EmailAddress } from './email-address';
import { FormAlert } from './form-alert';
import { OutcomeNotice } from './outcome-notice';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';

/**
 * The Account page's "Email address": the address the account signs in with, and "Change email",
 * which mails a link to the new address (after a fresh proof). Nothing changes until that link
 * is opened, so a typo cannot lock anyone out.
 */
export function EmailChangeSection() {
  const { user } = useAuth();
  const [changing, setChanging] = useState(false);
  const [sent, setSent] = useState<{ to: string; from: string } | null>(null);
  const changeButton = useRef<HTMLButtonElement>(null);
  if (user === null) return null;

  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title" className="section-title">
        Email address
      </h2>
      <p className="section-hint">
        You sign in with{' '}
        <strong className="account-address">
          <EmailAddress value={user.email} />
        </strong>
        , and mails about your account go there.
      </p>
      {sent === null ? null : (
        <OutcomeNotice
          message={`We sent a link to ${sent.to}. Open it to finish the change. Until then your address stays ${sent.from}.`}
        />
      )}
      {changing ? (
        <ChangeEmailForm
          currentEmail={user.email}
          onSent={(to) => {
            setSent({ to, from: user.email });
            setChanging(false);
          }}
          onCancel={() => {
            // Back to the button that opened the form, not to the top of the page.
            flushSync(() => setChanging(false));
            changeButton.current?.focus();
          }}
        />
      ) : (
        <button
          ref={changeButton}
          type="button"
          className="button button-secondary"
          onClick={() => {
            setSent(null);
            setChanging(true);
          }}
        >
          Change email
        </button>
      )}
    </section>
  );
}

function ChangeEmailForm(props: { currentEmail: string; onSent(to: string): void; onCancel(): void }) {
  const { requestEmailChange } = useAuthClient();
  const [newEmail, setNewEmail] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission((error) => describeAccountRefusal(error, 'newEmail'));
  const stepUp = useStepUp();

  const send = () =>
    submit(
      () => validateNewEmail({ newEmail, currentEmail: props.currentEmail }),
      async () => {
        const to = newEmail.trim();
        try {
          await requestEmailChange(to);
        } catch (error) {
          // An old proof: the dialog asks for a fresh one, then this runs again with what was typed.
          if (stepUp.refused(error, 'change your email address', () => void send())) return;
          throw error;
        }
        props.onSent(to);
      },
    );

  return (
    <>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
        noValidate
      >
        <TextField
          name="newEmail"
          label="New email address"
          type="email"
          autoComplete="email"
          hint="We send a link there. Your address changes only once you open it and confirm; every other device is signed out then."
          required
          maxLength={limits.emailMaxLength}
          value={newEmail}
          onChange={setNewEmail}
          problem={problem}
          // The button that opened the form is gone: focus goes where the user types next.
          autoFocus
        />
        <div className="form-actions">
          <SubmitButton pending={pending}>Send confirmation link</SubmitButton>
          <button type="button" className="button button-secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
      </form>
      {/* Outside the form: the proof dialog has a form of its own. */}
      {stepUp.dialog}
    </>
  );
}
