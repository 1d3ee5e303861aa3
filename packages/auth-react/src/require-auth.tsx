import type { ReactNode } from 'react';
import { AuthLoading } from './auth-loading';
import { useAuth } from './use-auth';

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Rendered when signed in. */
  children?: ReactNode;
  /**
   * Rendered when signed out: typically your router's redirect, e.g.
   * `<Navigate to="/sign-in" replace />`. A prop rather than a built-in redirect keeps this
   * package free of any router.
   */
  anonymous: ReactNode;
  /** Rendered while the session is restored; defaults to {@link AuthLoading}. Never the sign-in form. */
  fallback?: ReactNode;
}

/**
 * Shows `children` only to a signed-in user.
 *
 * @example
 * <RequireAuth anonymous={<Navigate to="/sign-in" replace />}>
 *   <HomePage />
 * </RequireAuth>
 */
export function RequireAuth({ children, anonymous, fallback = <AuthLoading /> }: RequireAuthProps) {
  const { status } = useAuth();
  if (status === 'loading') return fallback;
  return status === 'authenticated' ? children : anonymous;
}
