import type { AuthClient } from '@tessera/auth-client';
import { createContext, useContext } from 'react';

/** Holds the one auth client of the page; `null` outside `<AuthProvider>`. */
export const AuthClientContext = createContext<AuthClient | null>(null);

/**
 * The auth client given to the nearest `<AuthProvider>`.
 *
 * @example
 * const client = useAuthClient();
 * const token = client.getAccessToken();
 */
export function useAuthClient(): AuthClient {
  const client = useContext(AuthClientContext);
  // Failing loudly beats a silent "anonymous" that would send users to the sign-in page.
  if (client === null) throw new Error('useAuth() and the auth guards must be used inside <AuthProvider>.');
  return client;
}
