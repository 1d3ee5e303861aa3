import type { Role } from '@tessera/contract';

/**
 * What a good access token says: the result of `verifyAccessToken`, and what the verified-token
 * cache keeps. Its own module because both import it (access-token.ts uses the cache).
 */
export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  role: Role;
  tokenId: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms (whole seconds): the claim `auth_time`; 0 when a token has none (issued before step-up existed). */
  authTime: number;
  /** The claim `cnf.jkt`: the device key every request with this token must prove (DPoP), or null for a Bearer token. */
  dpopJkt: string | null;
}
