import type { Role } from './limits';

/**
 * The signed-in user as every client sees it.
 *
 * @example
 * const user: User = { id: '0b8…', email: 'ada@example.com', name: 'Ada', role: 'user', emailVerified: false, twoFactorEnabled: false };
 */
export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** Whether the owner opened a verification link (or a password-reset link) sent to `email`. */
  emailVerified: boolean;
  /** Whether signing in with the password also asks for a second step (a TOTP code, a recovery code or a passkey). */
  twoFactorEnabled: boolean;
}

/**
 * What sign-in, sign-up, refresh and a password change answer with. The refresh token is never
 * in it: it travels in its HttpOnly cookie only.
 *
 * @example
 * const { accessToken, expiresAt, user }: Session = await client.auth.login.mutate(credentials);
 */
export interface Session {
  accessToken: string;
  /** Epoch ms, on the server's clock. */
  expiresAt: number;
  user: User;
}
