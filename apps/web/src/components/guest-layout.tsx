import { Outlet } from 'react-router';
import { Logo } from './logo';
import { VerifyEmailBanner } from './verify-email-banner';

/**
 * The frame around the pages a visitor sees before signing in (and the mailed links' pages): the
 * brand on top, the page's card centred below. Signed-in pages have `SignedInLayout`.
 */
export function GuestLayout() {
  return (
    <div className="shell">
      <header className="brand">
        <Logo />
        <span className="brand-name">Tessera</span>
      </header>
      <main className="page">
        <VerifyEmailBanner />
        <Outlet />
      </main>
    </div>
  );
}
