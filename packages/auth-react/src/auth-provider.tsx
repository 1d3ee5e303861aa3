import type { AuthClient } from '@tessera/auth-client';
import { type ReactNode, useEffect } from 'react';
import { AuthClientContext } from './auth-context';

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The page's auth client, created once at module level with `createAuthClient`. */
  client: AuthClient;
  children?: ReactNode;
}

/**
 * Makes `client` available to `useAuth()` and the guards, and restores the session on mount
 * (a reload wiped the in-memory token; the HttpOnly cookie brings it back). Until restore
 * answers, status is `loading`, so guards show a neutral state instead of the sign-in page.
 *
 * @example
 * const auth = createAuthClient({ url: '/trpc' });
 * root.render(<AuthProvider client={auth}><App /></AuthProvider>);
 */
export function AuthProvider({ client, children }: AuthProviderProps) {
  useEffect(() => {
    // restore() is idempotent (it joins a refresh in flight and does nothing once settled),
    // so StrictMode's double effect still sends one request.
    void client.restore();
  }, [client]);

  return <AuthClientContext value={client}>{children}</AuthClientContext>;
}
