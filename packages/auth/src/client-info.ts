/** Facts about the request: the user agent is shown on the sessions page, the address throttled. */
export interface ClientInfo {
  userAgent: string | null;
  /** The client's address (from X-Forwarded-For only behind a trusted proxy). */
  ip: string;
}

/** Longest user agent kept: enough to recognise a browser, too short to fill the disk. */
const MAX_USER_AGENT_LENGTH = 512;

/**
 * The user agent as stored: cut to a bounded length.
 *
 * @example
 * storedUserAgent(request.userAgent); // 'Mozilla/5.0 (X11; Linux x86_64) …' or null
 */
export function storedUserAgent(userAgent: string | null): string | null {
  return userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null;
}
