import { useAuth } from '@tessera/auth-react';
import { Outlet } from 'react-router';
import { AppHeader } from './app-header';
import { VerifyEmailBanner } from './verify-email-banner';

/**
 * The app shell around every signed-in page: the header on top, the page below at a readable
 * width. Until the session is known (restoring) or when there is none, only the page's own guard
 * shows: the loading screen, or the way to the sign-in page, with no header to flash.
 */
export function SignedInLayout() {
  const { status } = useAuth();
  if (status !== 'authenticated') return <Outlet />;
  return (
    <div className="app">
      <AppHeader />
      <main className="app-main">
        <VerifyEmailBanner />
        <Outlet />
      </main>
    </div>
  );
}
