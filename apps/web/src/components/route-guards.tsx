import { RedirectIfAuthenticated, RequireAuth } from '@tessera/auth-react';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { returnPath } from '../lib/return-path';
import { LoadingScreen } from './loading-screen';

/**
 * For pages that need a signed-in user. Signed-out visitors go to sign-in, which remembers the
 * page they wanted; while the session is restored only the loading screen shows.
 */
export function Protected({ children }: { children: ReactNode }) {
  const location = useLocation();
  const from = `${location.pathname}${location.search}${location.hash}`;
  return (
    <RequireAuth fallback={<LoadingScreen />} anonymous={<Navigate to="/sign-in" replace state={{ from }} />}>
      {children}
    </RequireAuth>
  );
}

/**
 * For the sign-in and sign-up pages. Once signed in (just now, or restored on load) the user
 * moves on to the page they wanted; the form never flashes while the session is restored.
 */
export function GuestOnly({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <RedirectIfAuthenticated
      fallback={<LoadingScreen />}
      authenticated={<Navigate to={returnPath(location.state)} replace />}
    >
      {children}
    </RedirectIfAuthenticated>
  );
}
