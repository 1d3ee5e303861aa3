import { useAuth } from '@tessera/auth-react';
import { isTRPCClientError } from '@trpc/client';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { useLinkToken } from '../lib/link-token';

type Outcome = { state: 'confirming' } | { state: 'confirmed' } | { state: 'refused'; message: string };

/** `/verify-email#token=…`, opened from the confirmation mail: confirms the address in one line. */
export function VerifyEmailPage() {
  const { verifyEmail, status } = useAuth();
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<Outcome>(
    token === null
      ? { state: 'refused', message: 'This page opens from the link in a confirmation mail.' }
      : { state: 'confirming' },
  );
  // One attempt per link, also under React's development double effects.
  const started = useRef(false);

  useEffect(() => {
    if (token === null || started.current) return;
    started.current = true;
    verifyEmail(token).then(
      () => setOutcome({ state: 'confirmed' }),
      (error: unknown) =>
        setOutcome({
          state: 'refused',
          message: isTRPCClientError(error) ? error.message : 'Could not reach Tessera. Open the link again.',
        }),
    );
  }, [token, verifyEmail]);

  const onward = status === 'authenticated' ? <Link to="/">Go to your notes</Link> : <Link to="/sign-in">Sign in</Link>;
  return (
    <AuthCard title="Confirm your email" footer={onward}>
      <p className="notice" role="status">
        {outcome.state === 'confirming'
          ? 'Confirming your address…'
          : outcome.state === 'confirmed'
            ? 'Your email address is confirmed.'
            : outcome.message}
      </p>
    </AuthCard>
  );
}
