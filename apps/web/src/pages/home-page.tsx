import { useQuery } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { AuthCard } from '../components/auth-card';
import { useTRPC } from '../trpc';

/** `/`: who is signed in, and the way out. Only reachable signed in (see `Protected`). */
export function HomePage() {
  const trpc = useTRPC();
  const { user, signOut } = useAuth();
  // Read through the authenticated link (Bearer token, refresh-and-retry), not just the session.
  const me = useQuery(trpc.auth.me.queryOptions());
  const [pending, setPending] = useState(false);

  const email = me.data?.email ?? user?.email ?? '';
  const name = me.data?.name ?? user?.name ?? null;

  const onSignOut = async () => {
    setPending(true);
    try {
      // Always signs out locally; the route guard then leaves this page.
      await signOut();
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthCard title={name === null ? 'Welcome' : `Welcome, ${name}`} subtitle="You are signed in.">
      <div className="account">
        <p className="account-label">Signed in as</p>
        <p className="account-email">{email}</p>
      </div>
      <button type="button" className="button button-secondary" onClick={() => void onSignOut()} disabled={pending}>
        Sign out
      </button>
    </AuthCard>
  );
}
