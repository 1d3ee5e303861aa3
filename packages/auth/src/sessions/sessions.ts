import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Role } from '@tessera/contract';
import { passkeys, refreshTokens, sessions, type TesseraDb, users } from '@tessera/db';
import { and, desc, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { SignInMethod } from '../accounts/events';
import { toUser, type User, userColumns } from '../accounts/users';
import { type RotationStatements, rotationStatements } from '../engines/sqlite/rotation-statements';
import { AuthError } from '../errors';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import type { SecretBox } from '../tokens/secret-box';
import { storedUserAgent } from './client-info';

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
}

export type RotationFailure = 'unknown' | 'expired' | 'revoked' | 'reused';
/**
 * Why a replaced token counted as reuse: presented after the grace window, by another client
 * than the one that exchanged it, or when it is not the latest replaced token.
 */
export type ReuseKind = 'after_grace' | 'other_client' | 'not_latest';
export type RotationResult =
  | ({ ok: true; graceRetry: boolean } & IssuedRefreshToken)
  | { ok: false; reason: 'unknown'; sessionId: null; userId: null }
  | { ok: false; reason: 'expired' | 'revoked'; sessionId: string; userId: string }
  | { ok: false; reason: 'reused'; reuse: ReuseKind; sessionId: string; userId: string };

/** The exchange being asked for: the cookie's token and who presents it. */
export interface RotationRequest {
  presentedToken: string;
  /** `clientFingerprint` of the request: only the client that exchanged a token may retry it. */
  client: string;
  /** Seals the successor kept for the grace window. */
  box: SecretBox;
}

export { REPLACED_TOKENS_KEPT } from '../engines/sqlite/rotation-statements';

/** What binds a sealed successor to the row of the token it replaces (the same on every engine). */
export const successorContext = (tokenId: string) => `refresh_tokens.successor:${tokenId}`;

/** Who a session is for: the user, the security stamp read with the credential just checked, and which it was. */
export interface SessionSubject {
  userId: string;
  userAgent: string | null;
  credentialVersion: number;
  method: SignInMethod;
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
  removePasskeys?: boolean;
  expectedVersion?: number;
}

/** What a credential change did: the sessions it ended, the new stamp, and the user as now stored. */
export interface CredentialChanged {
  endedSessionIds: string[];
  credentialVersion: number;
  user: User;
  /** How many passkeys `removePasskeys` removed (0 without it). */
  removedPasskeys: number;
}

/**
 * Starts a session (a new refresh-token family) for a user who just proved who they are, only if
 * their security stamp is still the one read with the credential: a reset, a password change, a
 * role change or "sign out everywhere" that happened meanwhile refuses it with
 * `AuthError('INVALID_CREDENTIALS')`. The user is read under the same write lock, so the session
 * carries the role stored now.
 *
 * @example
 * const { sessionId, refreshToken, expiresAt, user } = startSession(db, lifetimes, { userId, userAgent, credentialVersion }, Date.now());
 */
export function startSession(
  db: TesseraDb,
  lifetimes: SessionLifetimes,
  input: SessionSubject,
  now: number,
): StartedSession {
  const sessionId = randomUUID();
  const absoluteExpiresAt = now + lifetimes.sessionMaxAge * 1000;
  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, absoluteExpiresAt);
  const refreshToken = generateRefreshToken();
  const user = db.transaction(
    (tx) => {
      const row = tx
        .select({ ...userColumns, credentialVersion: users.credentialVersion })
        .from(users)
        .where(eq(users.id, input.userId))
        .get();
      if (!row || row.credentialVersion !== input.credentialVersion) throw credentialMoved();
      tx.insert(sessions)
        .values({
          id: sessionId,
          userId: input.userId,
          userAgent: storedUserAgent(input.userAgent),
          createdAt: now,
          lastUsedAt: now,
          idleExpiresAt: expiresAt,
          absoluteExpiresAt,
          authTime: now,
          authMethod: input.method,
        })
        .run();
      tx.insert(refreshTokens)
        .values({ id: randomUUID(), sessionId, tokenHash: hashRefreshToken(refreshToken), issuedAt: now })
        .run();
      return toUser(row);
    },
    { behavior: 'immediate' },
  );
  return {
    sessionId,
    userId: input.userId,
    refreshToken,
    expiresAt,
    user,
    proof: { authTime: now, method: input.method },
  };
}

/** The credential checked is no longer the account's: to the client, a wrong one. */
export const credentialMoved = () =>
  new AuthError('INVALID_CREDENTIALS', 'Sign-in refused: the credentials changed while it was checked');

/**
 * Applies a credential change (see `CredentialChange`), moves the security stamp on and ends every
 * live session of the user, in one IMMEDIATE transaction. Null when there is no such user, or
 * the stamp is not `expectedVersion`.
 *
 * @example
 * const changed = endAllSessions(db, { userId, reason: 'password_changed', passwordHash }, Date.now());
 */
export function endAllSessions(db: TesseraDb, change: CredentialChange, now: number): CredentialChanged | null {
  return db.transaction(
    (tx) => {
      const stamp =
        change.expectedVersion === undefined
          ? eq(users.id, change.userId)
          : and(eq(users.id, change.userId), eq(users.credentialVersion, change.expectedVersion));
      const row = tx
        .update(users)
        .set({
          credentialVersion: sql`${users.credentialVersion} + 1`,
          ...(change.passwordHash === undefined ? {} : { passwordHash: change.passwordHash }),
          ...(change.role === undefined ? {} : { role: change.role }),
        })
        .where(stamp)
        .returning({ ...userColumns, credentialVersion: users.credentialVersion })
        .get();
      if (!row) return null;
      const removedPasskeys = change.removePasskeys
        ? tx.delete(passkeys).where(eq(passkeys.userId, change.userId)).run().changes
        : 0;
      const ended = tx
        .update(sessions)
        .set({ revokedAt: now, revokedReason: change.reason })
        .where(and(eq(sessions.userId, change.userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id })
        .all();
      return {
        endedSessionIds: ended.map(({ id }) => id),
        credentialVersion: row.credentialVersion,
        user: toUser(row),
        removedPasskeys,
      };
    },
    { behavior: 'immediate' },
  );
}

/**
 * Exchanges a refresh token for its successor (docs/refresh.md), in one IMMEDIATE transaction:
 * the write lock is taken before the read, so two processes cannot both see the token as current,
 * and the update is a compare-and-swap on `replaced_at IS NULL` as well.
 *
 * - A current token is marked replaced, and a new random successor stored (as a hash). The
 *   successor itself is also kept sealed in the replaced row, for the grace window only.
 * - The token replaced last, presented again within the grace window by the same client (two
 *   tabs, a response lost on the way), gets that same successor back: one lineage remains.
 * - Any other replaced token is a replay, a sign of theft: the whole session is revoked.
 *
 * Nothing derives a successor from its predecessor: neither an old token, nor a copy of the
 * database, nor both, yields the live token.
 *
 * @example
 * const result = rotateRefreshToken(db, lifetimes, { presentedToken, client, box }, Date.now());
 * if (!result.ok) clearCookie();
 */
export function rotateRefreshToken(
  db: TesseraDb,
  lifetimes: SessionLifetimes,
  request: RotationRequest,
  now: number,
): RotationResult {
  const statements = rotationStatements(db);
  return db.transaction(
    (): RotationResult => {
      const found = statements.findByHash.get({ tokenHash: hashRefreshToken(request.presentedToken) });
      if (!found) return { ok: false, reason: 'unknown', sessionId: null, userId: null };
      const { sessionId, userId } = found;
      if (found.revokedAt !== null) return { ok: false, reason: 'revoked', sessionId, userId };
      if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) {
        return { ok: false, reason: 'expired', sessionId, userId };
      }

      const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
      const issued = (refreshToken: string, graceRetry: boolean): RotationResult => {
        statements.touchSession.run({ now, expiresAt, sessionId });
        const proof = { authTime: found.authTime, method: found.authMethod };
        return { ok: true, graceRetry, sessionId, userId, refreshToken, expiresAt, proof };
      };

      if (found.replacedAt === null) {
        const successor = generateRefreshToken();
        const successorId = randomUUID();
        const swapped = statements.markReplaced.run({
          now,
          successorId,
          successorSealed: request.box.seal(successor, successorContext(found.tokenId)),
          client: request.client,
          tokenId: found.tokenId,
        });
        // The write lock was held since the read: nobody can have replaced it in between.
        if (swapped.changes !== 1) throw new Error('Refresh token changed under the write lock');
        statements.insertSuccessor.run({ id: successorId, sessionId, tokenHash: hashRefreshToken(successor), now });
        // Once a newer exchange happened, an older token's successor is never handed out again.
        statements.forgetOlderSuccessors.run({ sessionId, keepTokenId: found.tokenId });
        // Keeps the session's newest REPLACED_TOKENS_KEPT replaced tokens (and its live one).
        statements.pruneReplaced.run({ sessionId });
        return issued(successor, false);
      }

      const reuse = graceRetryRefusal(statements, found, request.client, lifetimes, now);
      if (reuse === null && found.successorSealed !== null) {
        statements.countGraceHit.run({ tokenId: found.tokenId });
        return issued(request.box.open(found.successorSealed, successorContext(found.tokenId)), true);
      }
      statements.revokeForReuse.run({ now, sessionId });
      return { ok: false, reason: 'reused', reuse: reuse ?? 'after_grace', sessionId, userId };
    },
    { behavior: 'immediate' },
  );
}

/** What the grace rules read of a replaced token's row. */
export interface ReplacedToken {
  replacedAt: number | null;
  replacedById: string | null;
  successorSealed: string | null;
  rotatedBy: string | null;
}

/**
 * The grace rules a replaced token is checked against before its successor's row is read: null
 * when it is within the window with its successor still sealed (read the successor next, then
 * {@link graceRetryRefusalGivenSuccessor}); otherwise `after_grace`.
 */
export function graceRetryRefusalBeforeSuccessor(
  found: ReplacedToken,
  lifetimes: SessionLifetimes,
  now: number,
): ReuseKind | null {
  if (found.replacedAt === null || found.replacedById === null || found.successorSealed === null) return 'after_grace';
  return now - found.replacedAt >= lifetimes.refreshReuseGrace * 1000 ? 'after_grace' : null;
}

/**
 * Null when the replaced token may be retried: its successor is still the session's live token
 * and the client presenting it is the one that exchanged it. Otherwise which rule it broke.
 */
export function graceRetryRefusalGivenSuccessor(
  found: ReplacedToken,
  successor: { replacedAt: number | null } | undefined,
  client: string,
): ReuseKind | null {
  if (successor === undefined || successor.replacedAt !== null) return 'not_latest';
  return found.rotatedBy !== null && safeEqual(found.rotatedBy, client) ? null : 'other_client';
}

/**
 * Null when the replaced token may be retried: presented within the grace window, by the client
 * that exchanged it, and its successor is still the session's live token. Otherwise which rule
 * it broke.
 */
function graceRetryRefusal(
  statements: RotationStatements,
  found: ReplacedToken,
  client: string,
  lifetimes: SessionLifetimes,
  now: number,
): ReuseKind | null {
  const early = graceRetryRefusalBeforeSuccessor(found, lifetimes, now);
  if (early !== null || found.replacedById === null) return early ?? 'after_grace';
  const successor = statements.successorReplacedAt.get({ id: found.replacedById });
  return graceRetryRefusalGivenSuccessor(found, successor, client);
}

/**
 * Clears the sealed successors of tokens replaced before `before` (epoch ms: now minus the grace
 * window), so that a copy of the database taken later holds none. Touches only pending rows.
 *
 * @example
 * expireGraceSuccessors(db, Date.now() - 10_000);
 */
export function expireGraceSuccessors(db: TesseraDb, before: number): number {
  return db
    .update(refreshTokens)
    .set({ successorSealed: null })
    .where(and(isNotNull(refreshTokens.successorSealed), lt(refreshTokens.replacedAt, before)))
    .run().changes;
}

/**
 * Ends one session of a user; its refresh tokens stop working at once. Returns false when the
 * session does not exist, is not the user's, or had already ended.
 *
 * @example
 * revokeSession(db, { sessionId: ctx.sessionId, userId: ctx.user.id, reason: 'logout' }, Date.now());
 */
export function revokeSession(
  db: TesseraDb,
  input: { sessionId: string; userId: string; reason: string },
  now: number,
): boolean {
  const result = db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: input.reason })
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
    .run();
  return result.changes === 1;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A live session as its owner sees it on the sessions page. */
export interface SessionSummary {
  id: string;
  createdAt: number;
  lastUsedAt: number;
  userAgent: string | null;
}

/**
 * The user's sessions that can still refresh: not revoked, not expired. Most recently used first.
 *
 * @example
 * const mine = listSessions(db, ctx.user.id, Date.now());
 */
export function listSessions(db: TesseraDb, userId: string, now: number): SessionSummary[] {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, now),
        gt(sessions.absoluteExpiresAt, now),
      ),
    )
    .orderBy(desc(sessions.lastUsedAt))
    .all();
}

/** A proof given again inside a live session (`auth.reauthenticate`). */
export interface SessionReproof {
  sessionId: string;
  userId: string;
  /** The security stamp read before the credential was checked. */
  credentialVersion: number;
  method: SignInMethod;
}

/**
 * Records a fresh proof in a live session (its `auth_time` becomes `now`), only if the user's
 * security stamp is still the one read before the credential was checked. False when the session
 * is not the user's or not live, or the stamp moved.
 *
 * @example
 * if (!recordProof(db, { sessionId, userId, credentialVersion, method: 'password' }, Date.now())) refuse();
 */
export function recordProof(db: TesseraDb, proof: SessionReproof, now: number): boolean {
  return db.transaction(
    (tx) => {
      const user = tx
        .select({ credentialVersion: users.credentialVersion })
        .from(users)
        .where(eq(users.id, proof.userId))
        .get();
      if (user?.credentialVersion !== proof.credentialVersion) return false;
      const updated = tx
        .update(sessions)
        .set({ authTime: now, authMethod: proof.method })
        .where(liveSessionOf(proof, now))
        .run();
      return updated.changes === 1;
    },
    { behavior: 'immediate' },
  );
}

/** The user's session, if it has not ended. */
export const liveSessionOf = (input: { sessionId: string; userId: string }, now: number) =>
  and(
    eq(sessions.id, input.sessionId),
    eq(sessions.userId, input.userId),
    isNull(sessions.revokedAt),
    gt(sessions.idleExpiresAt, now),
    gt(sessions.absoluteExpiresAt, now),
  );

/** Whether a session can still be used: what sensitive procedures confirm in the database. */
export type SessionStatus = 'live' | 'revoked' | 'expired';

/**
 * The state of a user's session as the database has it. A session that does not exist or is not
 * the user's reads as revoked: no token of ours names one, so it was pruned long after it ended.
 *
 * @example
 * if (sessionStatus(db, { userId, sessionId }, Date.now()) !== 'live') refuse();
 */
export function sessionStatus(db: TesseraDb, input: { sessionId: string; userId: string }, now: number): SessionStatus {
  const row = db
    .select({
      revokedAt: sessions.revokedAt,
      idleExpiresAt: sessions.idleExpiresAt,
      absoluteExpiresAt: sessions.absoluteExpiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)))
    .get();
  if (!row || row.revokedAt !== null) return 'revoked';
  return row.idleExpiresAt <= now || row.absoluteExpiresAt <= now ? 'expired' : 'live';
}
