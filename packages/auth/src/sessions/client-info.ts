import { createHash } from 'node:crypto';
import { addressGroup } from '../throttle/address-group';

/** Facts about the request: the user agent is shown on the sessions page, the address throttled. */
export interface ClientInfo {
  userAgent: string | null;
  /** The client's address (from X-Forwarded-For only behind a trusted proxy). */
  ip: string;
  /**
   * The RFC 7638 thumbprint of the device key this request proved it holds (a valid DPoP proof),
   * or null/absent. A sign-in binds its session to it; a refresh must come with the session's.
   */
  dpopJkt?: string | null;
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

/**
 * Who exchanged a refresh token, as compared when the same token comes back within the grace
 * window: the user agent and the address (IPv6 per /64), hashed. Only the same client may retry.
 *
 * @example
 * clientFingerprint({ userAgent: 'Mozilla/5.0 …', ip: '203.0.113.7' }); // 'Zk3…' (43 characters)
 */
export function clientFingerprint(client: ClientInfo): string {
  return createHash('sha256')
    .update(`${client.userAgent ?? ''}\n${addressGroup(client.ip)}`)
    .digest('base64url');
}
