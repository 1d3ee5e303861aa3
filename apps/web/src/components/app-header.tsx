import { useAuth } from '@tessera/auth-react';
import { type KeyboardEvent, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useSignOut } from '../lib/use-sign-out';
import { EmailAddress } from './email-address';
import { Logo } from './logo';

/**
 * The bar on top of every signed-in page: the logo (a link home), the pages, and who is signed in
 * with the way out. On a phone the pages and the account fold into a menu behind one button.
 */
export function AppHeader() {
  const { user } = useAuth();
  const { pathname } = useLocation();
  const { signOut, pending } = useSignOut();
  // Open for the page it was opened on: going to another page closes it, with no effect to run.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === pathname;
  const menuButton = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !menuOpen) return;
    setOpenOn(null);
    menuButton.current?.focus();
  };

  return (
    <header className="app-header">
      {/* Escape closes the phone menu from anywhere inside it, as a disclosure's menu does. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the keys reach it from the links and buttons inside. */}
      <div className="app-header-inner" onKeyDown={onKeyDown}>
        <Link to="/" className="app-brand">
          <Logo />
          <span className="brand-name">Tessera</span>
        </Link>
        <button
          ref={menuButton}
          type="button"
          className="button button-secondary button-small app-menu-button"
          aria-expanded={menuOpen}
          aria-controls={menuId}
          onClick={() => setOpenOn(menuOpen ? null : pathname)}
        >
          Menu
        </button>
        <div id={menuId} className={menuOpen ? 'app-menu app-menu-open' : 'app-menu'}>
          <nav className="app-nav" aria-label="Main">
            <PageLink to="/">Home</PageLink>
            <PageLink to="/sessions">Sessions</PageLink>
            <PageLink to="/account">Account</PageLink>
            {user?.role === 'admin' ? <PageLink to="/admin">Admin</PageLink> : null}
          </nav>
          <div className="app-account">
            <p className="app-account-email">
              <span className="visually-hidden">Signed in as </span>
              <EmailAddress value={user?.email ?? ''} />
            </p>
            <button type="button" className="button button-secondary button-small" onClick={signOut} disabled={pending}>
              Sign out
            </button>
          </div>
        </div>
      </div>
    </header>
  );
}

/**
 * A link in the navigation, marked `aria-current="page"` on its own page. Not React Router's
 * `NavLink`: that would add itself to the sign-in page's bundle, which already has `Link`.
 */
function PageLink({ to, children }: { to: string; children: string }) {
  const { pathname } = useLocation();
  return (
    <Link to={to} aria-current={pathname === to ? 'page' : undefined}>
      {children}
    </Link>
  );
}
