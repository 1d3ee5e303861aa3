import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { describeAuthError } from '../lib/describe-auth-error';

type Resend = 'idle' | 'sending' | 'sent' | { failed: string };

/**
 * A quiet line for a signed-in user whose address is not confirmed yet, with a way to get a new
 * link. Nothing for anyone else.
 */
export function VerifyEmailBanner() {
  const { user, requestEmailVerification } = useAuth();
  const [resend, setResend] = useState<Resend>('idle');
  if (user === null || user.emailVerified) return null;

  const onResend = () => {
    setResend('sending');
    requestEmailVerification().then(
      () => setResend('sent'),
      (error: unknown) => setResend({ failed: describeAuthError(error, 'forgot-password').message }),
    );
  };

  return (
    <div className="verify-banner">
      <span>Please confirm your email address: open the link we sent you.</span>{' '}
      {resend === 'sent' ? (
        <span role="status">A new link is on its way.</span>
      ) : (
        <button type="button" className="button-link" onClick={onResend} disabled={resend === 'sending'}>
          Resend link
        </button>
      )}
      {typeof resend === 'object' ? <span className="field-error"> {resend.failed}</span> : null}
    </div>
  );
}
