import { SIGNED_IN_FLAG_COOKIE } from '@tessera/contract';

/**
 * Whether this browser may hold a session to restore: the server sets the `tessera_signed_in`
 * flag beside the HttpOnly refresh cookie, and clears both together. No flag, no refresh cookie,
 * so a first visit skips a refresh that could only fail. Outside a browser, assume there may be.
 *
 * @example
 * if (!signedInFlagPresent()) showSignIn();
 */
export function signedInFlagPresent(cookies: string | undefined = globalThis.document?.cookie): boolean {
  if (cookies === undefined) return true;
  return cookies.split(';').some((pair) => pair.trim().startsWith(`${SIGNED_IN_FLAG_COOKIE}=`));
}
