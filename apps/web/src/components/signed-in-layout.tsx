import type { ReactNode } from 'react';
import { AppHeader } from './app-header';
import { VerifyEmailBanner } from './verify-email-banner';

/**
 * The app shell around every signed-in page: the header on top, the page below at a readable
 * width. It sits inside the page's guard, so it shows only once signed in (no header flashes
 * while the session is restored), and it loads with the signed-in pages, not with the sign-in
 * page's bundle. Every signed-in page renders it at the same place, so it stays mounted from one
 * page to the next.
 *
 * @example
 * <Protected><SignedInLayout><HomePage /></SignedInLayout></Protected>
 */
export function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <div className="app">
      <AppHeader />
      <main className="app-main">
        <VerifyEmailBanner />
        {children}
      </main>
    </div>
  );
}
