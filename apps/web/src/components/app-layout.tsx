import { Outlet } from 'react-router';
import { Logo } from './logo';
import { VerifyEmailBanner } from './verify-email-banner';

/** The frame around every page: the brand on top, the page's card centred below. */
export function AppLayout() {
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
