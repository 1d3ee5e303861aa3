/**
 * The claims of a JWT, read without verifying it: the server verifies every token it receives,
 * the client only uses claims to schedule refreshes and to tell its sessions apart.
 *
 * @example
 * readClaims(session.accessToken)?.sid; // 'c0ffee00-…'
 */
export function readClaims(jwt: string): Record<string, unknown> | undefined {
  const payload = jwt.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    // base64url → base64; `atob` accepts the missing padding.
    const claims: unknown = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')));
    return typeof claims === 'object' && claims !== null ? { ...claims } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The server-side session an access token belongs to (its `sid` claim), or null if unreadable.
 * Two tabs holding different tokens of one session agree on it; a new sign-in changes it.
 *
 * @example
 * sessionIdOf(a.accessToken) === sessionIdOf(b.accessToken); // same session, maybe refreshed
 */
export function sessionIdOf(accessToken: string): string | null {
  const sid = readClaims(accessToken)?.sid;
  return typeof sid === 'string' ? sid : null;
}
