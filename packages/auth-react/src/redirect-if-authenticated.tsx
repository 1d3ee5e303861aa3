import type { ReactNode } from 'react';
import { AuthLoading } from './auth-loading';
import { useAuth } from './use-auth';

/** Props of {@link RedirectIfAuthenticated}. */
export interface RedirectIfAuthenticatedProps {
  /** Rendered when signed out: the sign-in or sign-up page. */
  children?: ReactNode;
  /** Rendered when signed in: typically `<Navigate to="/" replace />`. */
  authenticated: ReactNode;
  /** Rendered while the session is restored; defaults to {@link AuthLoading}. */
  fallback?: ReactNode;
}

/**
 * The guard for sign-in and sign-up pages: a signed-in user is sent on, and while restoring
 * nothing but the neutral fallback shows, so the form never flashes for someone signed in.
 * A successful sign-in flips the status, and with it this guard, so the page needs no
 * navigation code of its own.
 *
 * @example
 * <RedirectIfAuthenticated authenticated={<Navigate to="/" replace />}>
 *   <SignInPage />
 * </RedirectIfAuthenticated>
 */
export function RedirectIfAuthenticated({
  children,
  authenticated,
  fallback = <AuthLoading />,
}: RedirectIfAuthenticatedProps) {
  const { status } = useAuth();
  if (status === 'loading') return fallback;
  return status === 'anonymous' ? children : authenticated;
}
