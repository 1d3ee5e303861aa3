import { useAuthClient } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { useState } from 'react';
import { sameAddress } from '../lib/account-address';
import { describeAccountRefusal } from '../lib/describe-account-refusal';
import { useFormSubmission } from '../lib/use-form-submission';
import { useStepUp } from '../lib/use-step-up';
import { EmailAddress } from './email-address';
import { FormAlert } from './form-alert';
import { ModalDialog } from './modal-dialog';
import { TextField } from './text-field';

/**
 * "Delete your account?": the address typed again arms the button (a slip of the mouse cannot
 * delete anything), then a fresh proof if the last is old. On success the auth client signs
 * every tab out (`ACCOUNT_DELETED`) and the route guard takes this one to the sign-in page.
 */
export function DeleteAccountDialog({ email, onCancel }: { email: string; onCancel(): void }) {
  const { deleteAccount } = useAuthClient();
  const [typed, setTyped] = useState('');
  const { pending, problem, attempt, submit } = useFormSubmission((error) =>
    describeAccountRefusal(error, 'confirmEmail'),
  );
  const stepUp = useStepUp();
  const matches = sameAddress(typed, email);

  const remove = () =>
    submit(
      () => (matches ? null : { message: 'Type your email address exactly as it is shown.', field: 'confirmEmail' }),
      async () => {
        try {
          await deleteAccount({ confirmEmail: typed.trim() });
        } catch (error) {
          if (stepUp.refused(error, 'delete your account', () => void remove())) return;
          throw error;
        }
      },
    );

  return (
    <>
      <ModalDialog
        title="Delete your account?"
        description="Your notes, passkeys, connected accounts and activity are deleted, and every device is signed out. This cannot be undone."
        onCancel={onCancel}
      >
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void remove();
          }}
          noValidate
        >
          <TextField
            name="confirmEmail"
            label="Type your email address to confirm"
            type="email"
            autoComplete="off"
            spellCheck={false}
            hint={
              <>
                Your address is <EmailAddress value={email} />.
              </>
            }
            required
            maxLength={limits.emailMaxLength}
            value={typed}
            onChange={setTyped}
            problem={problem}
            // A modal dialog must put focus inside; typing the address is its first step.
            autoFocus
          />
          <div className="dialog-actions dialog-actions-fit">
            <button type="button" className="button button-secondary" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className="button button-danger" disabled={!matches || pending} aria-busy={pending}>
              Delete my account
            </button>
          </div>
          {/* Under the buttons, so they never move when the alert comes or goes. */}
          {problem === null ? null : <FormAlert key={attempt} message={problem.message} />}
        </form>
      </ModalDialog>
      {/* Beside the dialog, not in its form: the proof dialog has a form of its own. */}
      {stepUp.dialog}
    </>
  );
}
