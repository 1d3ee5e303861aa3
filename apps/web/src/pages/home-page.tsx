import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { AuthCard } from '../components/auth-card';
import { EmailAddress } from '../components/email-address';
import { NotesPanel } from '../components/notes-panel';
import { SIGN_OUT_INCOMPLETE_STATE } from '../lib/sign-out-state';

/** `/`: who is signed in, and the way out. Only reachable signed in (see `Protected`). */
export function HomePage() {
  // The session carries the user: a reload costs one auth request (the refresh), not two.
  const { user, signOut } = useAuth();
  const navigate = useNavigate();
  const [pending, setPending] = useState(false);

  const email = user?.email ?? '';
  const name = user?.name ?? null;

  const onSignOut = async () => {
    setPending(true);
    try {
      // Always signs out locally, and the route guard leaves this page. If the server never heard
      // of it, the refresh cookie may sign this browser back in later: the sign-in page says so.
      const { revoked } = await signOut();
      if (!revoked) await navigate('/sign-in', { replace: true, state: SIGN_OUT_INCOMPLETE_STATE });
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthCard title={name === null ? 'Welcome' : `Welcome, ${name}`} subtitle="You are signed in.">
      <div className="account">
        <p className="account-label">Signed in as</p>
        <p className="account-email">
          <EmailAddress value={email} />
        </p>
      </div>
      <nav className="nav-links" aria-label="Account">
        <Link to="/sessions">Sessions</Link>
        <Link to="/account">Account</Link>
        {user?.role === 'admin' ? <Link to="/admin">Admin</Link> : null}
      </nav>
      <button type="button" className="button button-secondary" onClick={() => void onSignOut()} disabled={pending}>
        Sign out
      </button>
      <NotesPanel />
    </AuthCard>
  );
}
