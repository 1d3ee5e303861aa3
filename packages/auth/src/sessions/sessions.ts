import type { Role, User } from '@tessera/contract';
import type { SignInMethod } from '../accounts/events';
import type { UserRecord } from '../accounts/users';
import { AuthError } from '../errors';
import type { SecretBox } from '../tokens/secret-box';

/**
 * Sessions and their refresh tokens: what the store's session methods take and give, written
 * once for every engine. The rules are generators over an engine's steps (steps.ts): starting a
 * session, a credential change and a fresh proof in stamp.ts, the rotation with its reuse
 * detection and grace window in rotation.ts; operations.ts runs them as the store's methods.
 */

export interface SessionLifetimes {
  /** Seconds without a refresh after which a session dies. */
  refreshIdleTtl: number;
  /** Seconds after sign-in after which a session dies regardless. */
  sessionMaxAge: number;
  /** Seconds during which the token just replaced may be presented again and get the same successor. */
  refreshReuseGrace: number;
}

/**
 * When and how the session's owner last proved a primary credential: the access token's
 * `auth_time` and `amr`, which step-up (`freshProcedure`) checks.
 */
export interface SessionProof {
  /** Epoch ms. */
  authTime: number;
  method: SignInMethod;
}

/** A refresh token just handed out, and how long the cookie that carries it should live. */
export interface IssuedRefreshToken {
  sessionId: string;
  userId: string;
  refreshToken: string;
  /** Epoch ms: the session's idle expiry, never past its absolute one. */
  expiresAt: number;
  proof: SessionProof;
  /** The device key the session is bound to (DPoP): its access tokens carry it as `cnf.jkt`. */
  dpopJkt: string | null;
}

/**
 * `wrong_key`: the session is bound to a device key (DPoP) and the exchange came without a proof
 * from it; `unbound`: DPOP=required and the session is bound to none. Neither ends the session:
 * whoever presented the token could not use it, and the owner still can.
 */
export type RotationFailure = 'unknown' | 'expired' | 'revoked' | 'reused' | 'wrong_key' | 'unbound';
/**
 * Why a replaced token counted as reuse: presented after the grace window, by another client
 * than the one that exchanged it, or when it is not the latest replaced token.
 */
export type ReuseKind = 'after_grace' | 'other_client' | 'not_latest';
export type RotationResult =
  | ({ ok: true; graceRetry: boolean; user: UserRecord } & IssuedRefreshToken)
  | { ok: false; reason: 'unknown'; sessionId: null; userId: null }
  | { ok: false; reason: 'expired' | 'wrong_key' | 'unbound'; sessionId: string; userId: string }
  /** `revokedReason`: what ended it (`sessions.revoked_reason`), for the client to be told. */
  | { ok: false; reason: 'revoked'; revokedReason: string | null; sessionId: string; userId: string }
  | { ok: false; reason: 'reused'; reuse: ReuseKind; sessionId: string; userId: string };

/** The exchange being asked for: the cookie's token and who presents it. */
export interface RotationRequest {
  presentedToken: string;
  /** `clientFingerprint` of the request: only the client that exchanged a token may retry it. */
  client: string;
  /** Seals the successor kept for the grace window. */
  box: SecretBox;
  /** The thumbprint of the key whose DPoP proof came with the exchange, or null. */
  dpopJkt: string | null;
  /** DPOP=required: a session bound to no key is refused (`unbound`). */
  requireBinding: boolean;
}

/**
 * Replaced tokens kept per session, newest first, to recognise a replay. An older one presented
 * again is simply unknown (refused, but it no longer revokes the session): rows stay bounded
 * however long a session lives.
 */
export const REPLACED_TOKENS_KEPT = 50;

/** What binds a sealed successor to the row of the token it replaces (the same on every engine). */
export const successorContext = (tokenId: string) => `refresh_tokens.successor:${tokenId}`;

/** Who a session is for: the user, the security stamp read with the credential just checked, and which it was. */
export interface SessionSubject {
  userId: string;
  userAgent: string | null;
  credentialVersion: number;
  method: SignInMethod;
  /** The device key the sign-in proved it holds (DPoP): the session is bound to it; null for none. */
  dpopJkt: string | null;
}

/** A session just started, and its user as read in the same transaction (the token's role is this one). */
export type StartedSession = IssuedRefreshToken & { user: User };

/**
 * A change that ends every session of a user, and moves their security stamp on, in one
 * transaction: a new password hash, a new role, the removal of every passkey, or none (sign out
 * everywhere). With `expectedVersion`, nothing changes unless the stamp is still that one.
 */
export interface CredentialChange {
  userId: string;
  /** Recorded on each ended session (`sessions.revoked_reason`). */
  reason: string;
  passwordHash?: string;
  role?: Role;
  /** A new address, proved at `provedAt` (an email change confirmed, or undone, by a mailed link). */
  email?: { address: string; provedAt: number };
  removePasskeys?: boolean;
  /** Two-step verification off: the TOTP secret and the recovery codes removed (an admin's reset). */
  removeSecondFactor?: boolean;
  expectedVersion?: number;
  /**
   * A change the owner makes from a session (a password changed or set): applied only while that
   * session is live, checked in the statement that moves the stamp, so ending that one session
   * while the change waits for its hash wins.
   */
  fromSession?: { sessionId: string; at: number };
}

/** What a credential change did: the sessions it ended, the new stamp, and the user as now stored. */
export interface CredentialChanged {
  endedSessionIds: string[];
  credentialVersion: number;
  user: User;
  /** How many passkeys `removePasskeys` removed (0 without it). */
  removedPasskeys: number;
}

/** The credential checked is no longer the account's: to the client, a wrong one. */
export const credentialMoved = () =>
  new AuthError('INVALID_CREDENTIALS', 'Sign-in refused: the credentials changed while it was checked');

/** A live session as its owner sees it on the sessions page. */
export interface SessionSummary {
  id: string;
  createdAt: number;
  lastUsedAt: number;
  userAgent: string | null;
}

/** A proof given again inside a live session (`auth.reauthenticate`). */
export interface SessionReproof {
  sessionId: string;
  userId: string;
  /** The security stamp read before the credential was checked. */
  credentialVersion: number;
  method: SignInMethod;
}

/** Whether a session can still be used: what sensitive procedures confirm in the database. */
export type SessionStatus = 'live' | 'revoked' | 'expired';
