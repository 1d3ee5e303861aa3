import { useAuth, useAuthClient } from '@tessera/auth-react';
import { Link } from 'react-router';
import { EmailAddress } from '../components/email-address';
import { MailedLinkAction } from '../components/mailed-link-action';

/**
 * `/undo-email-change#token=…`, opened from the notice sent to the old address: "Put my address
 * back" undoes a change the owner did not make. Whoever made it is locked out: every session
 * ends, and the passkeys, two-step verification and connected accounts they could have added go.
 * The password stays (they may know it), so the page sends the owner on to set a new one.
 */
export function UndoEmailChangePage() {
  const { status } = useAuth();
  const { undoEmailChange } = useAuthClient();
  return (
    <MailedLinkAction
      title="Undo the email change"
      explanation="Put this address back on your account if you did not change it. To lock out whoever did, every device is signed out, and the account’s passkeys, two-step verification and connected accounts are removed. Your password stays: set a new one afterwards."
      withoutLink="This page opens from the link in the mail that told your old address about the change."
      actionLabel="Put my address back"
      action={undoEmailChange}
      describeDone={({ email }) => (
        <>
          Your address is <EmailAddress value={email} /> again. Every device was signed out, and passkeys, two-step
          verification and connected accounts were removed.
        </>
      )}
      next={
        <Link className="button button-primary" to="/forgot-password">
          Set a new password
        </Link>
      }
      footer={status === 'authenticated' ? <Link to="/">Go to your notes</Link> : <Link to="/sign-in">Sign in</Link>}
    />
  );
}
