import { useAuth, useAuthClient } from '@tessera/auth-react';
import { Link } from 'react-router';
import { EmailAddress } from '../components/email-address';
import { MailedLinkAction } from '../components/mailed-link-action';

/**
 * `/confirm-email-change#token=…`, opened from the mail sent to the new address: "Use this
 * address" makes it the account's. Every other session ends; this browser's stays signed in when
 * it is signed in to that account, and every tab here shows the new address.
 */
export function ConfirmEmailChangePage() {
  const { status } = useAuth();
  const { confirmEmailChange } = useAuthClient();
  return (
    <MailedLinkAction
      title="Confirm your new email address"
      explanation="Make the address this mail came to the one your account signs in with. Every other device signed in to the account is signed out."
      withoutLink="This page opens from the link in the mail we sent to your new address."
      actionLabel="Use this address"
      action={confirmEmailChange}
      describeDone={({ email, endedSessions }) => (
        <>
          Your email address is now <EmailAddress value={email} />.
          {endedSessions > 0 ? ' Other devices were signed out.' : null}
        </>
      )}
      footer={status === 'authenticated' ? <Link to="/">Go to your notes</Link> : <Link to="/sign-in">Sign in</Link>}
    />
  );
}
