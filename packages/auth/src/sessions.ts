import { randomUUID, timingSafeEqual } from 'node:crypto';
import { refreshTokens, sessions, type TesseraDb, type TesseraTransaction } from '@tessera/db';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { storedUserAgent } from './client-info';
import { deriveSuccessorToken, generateRefreshToken, generateRotationSecret, hashRefreshToken } from './refresh-token';

export interface SessionLifetimes {
  /** Seconds without a refresh after which a session dies. */
  refreshIdleTtl: number;
  /** Seconds after sign-in after which a session dies regardless. */
  sessionMaxAge: number;
  /** Seconds during which the token just replaced may be presented again and get the same successor. */
  refreshReuseGrace: number;
}

/** A refresh token just handed out, and how long the cookie that carries it should live. */
export interface IssuedRefreshToken {
  sessionId: string;
  userId: string;
  refreshToken: string;
  /** Epoch ms: the session's idle expiry, never past its absolute one. */
  expiresAt: number;
}

export type RotationFailure = 'unknown' | 'expired' | 'revoked' | 'reused';
export type RotationResult =
  | ({ ok: true } & IssuedRefreshToken)
  | { ok: false; reason: 'unknown'; sessionId: null; userId: null }
  | { ok: false; reason: Exclude<RotationFailure, 'unknown'>; sessionId: string; userId: string };

/**
 * Starts a session (a new refresh-token family) for a user who just proved who they are.
 *
 * @example
 * const { sessionId, refreshToken, expiresAt } = startSession(db, lifetimes, { userId, userAgent }, Date.now());
 */
export function startSession(
  db: TesseraDb,
  lifetimes: SessionLifetimes,
  input: { userId: string; userAgent: string | null },
  now: number,
): IssuedRefreshToken {
  const sessionId = randomUUID();
  const absoluteExpiresAt = now + lifetimes.sessionMaxAge * 1000;
  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, absoluteExpiresAt);
  // The first token of a family is pure CSPRNG output; only its successors are derived.
  const refreshToken = generateRefreshToken();
  db.transaction((tx) => {
    tx.insert(sessions)
      .values({
        id: sessionId,
        userId: input.userId,
        userAgent: storedUserAgent(input.userAgent),
        rotationSecret: generateRotationSecret(),
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: expiresAt,
        absoluteExpiresAt,
      })
      .run();
    tx.insert(refreshTokens)
      .values({ id: randomUUID(), sessionId, tokenHash: hashRefreshToken(refreshToken), issuedAt: now })
      .run();
  });
  return { sessionId, userId: input.userId, refreshToken, expiresAt };
}

/**
 * Exchanges a refresh token for its successor (docs/refresh.md), in one IMMEDIATE transaction:
 * the write lock is taken before the read, so two processes cannot both see the token as current,
 * and the update is a compare-and-swap on `replaced_at IS NULL` as well.
 *
 * - A current token is marked replaced and its successor stored.
 * - The token replaced last, presented again within the grace window (two tabs, a response lost
 *   on the way), gets the same successor back: it is derived, not random, so one lineage remains.
 * - Any other replaced token is a replay, a sign of theft: the whole session is revoked.
 *
 * @example
 * const result = rotateRefreshToken(db, lifetimes, cookieValue, Date.now());
 * if (!result.ok) clearCookie();
 */
export function rotateRefreshToken(
  db: TesseraDb,
  lifetimes: SessionLifetimes,
  presentedToken: string,
  now: number,
): RotationResult {
  return db.transaction(
    (tx): RotationResult => {
      const found = tx
        .select({
          tokenId: refreshTokens.id,
          replacedAt: refreshTokens.replacedAt,
          replacedById: refreshTokens.replacedById,
          sessionId: sessions.id,
          userId: sessions.userId,
          rotationSecret: sessions.rotationSecret,
          revokedAt: sessions.revokedAt,
          idleExpiresAt: sessions.idleExpiresAt,
          absoluteExpiresAt: sessions.absoluteExpiresAt,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, hashRefreshToken(presentedToken)))
        .get();
      if (!found) return { ok: false, reason: 'unknown', sessionId: null, userId: null };
      const failure = (reason: Exclude<RotationFailure, 'unknown'>): RotationResult => ({
        ok: false,
        reason,
        sessionId: found.sessionId,
        userId: found.userId,
      });
      if (found.revokedAt !== null) return failure('revoked');
      if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) return failure('expired');

      const successor = deriveSuccessorToken(found.rotationSecret, presentedToken);
      const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
      const issued = {
        ok: true as const,
        sessionId: found.sessionId,
        userId: found.userId,
        refreshToken: successor,
        expiresAt,
      };
      const touchSession = () =>
        tx
          .update(sessions)
          .set({ lastUsedAt: now, idleExpiresAt: expiresAt })
          .where(eq(sessions.id, found.sessionId))
          .run();

      const successorId = randomUUID();
      const swapped = tx
        .update(refreshTokens)
        .set({ replacedAt: now, replacedById: successorId })
        .where(and(eq(refreshTokens.id, found.tokenId), isNull(refreshTokens.replacedAt)))
        .run();
      if (swapped.changes === 1) {
        tx.insert(refreshTokens)
          .values({
            id: successorId,
            sessionId: found.sessionId,
            tokenHash: hashRefreshToken(successor),
            issuedAt: now,
          })
          .run();
        touchSession();
        return issued;
      }

      if (isGraceRetry(tx, found, successor, lifetimes, now)) {
        touchSession();
        return issued;
      }
      tx.update(sessions)
        .set({ revokedAt: now, revokedReason: 'reuse_detected' })
        .where(eq(sessions.id, found.sessionId))
        .run();
      return failure('reused');
    },
    { behavior: 'immediate' },
  );
}

/**
 * True when the presented token was replaced within the grace window and its successor, the one
 * we would hand out again, is still the live token of the session (not itself replaced).
 */
function isGraceRetry(
  tx: TesseraTransaction,
  found: { replacedAt: number | null; replacedById: string | null },
  successor: string,
  lifetimes: SessionLifetimes,
  now: number,
): boolean {
  if (found.replacedAt === null || found.replacedById === null) return false;
  if (now - found.replacedAt >= lifetimes.refreshReuseGrace * 1000) return false;
  const child = tx
    .select({ tokenHash: refreshTokens.tokenHash, replacedAt: refreshTokens.replacedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.id, found.replacedById))
    .get();
  return child !== undefined && child.replacedAt === null && safeEqual(child.tokenHash, hashRefreshToken(successor));
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

/**
 * Ends every live session of a user (sign out everywhere). Returns the ids of those it ended.
 *
 * @example
 * const ended = revokeAllSessions(db, { userId, reason: 'logout_all' }, Date.now());
 */
export function revokeAllSessions(db: TesseraDb, input: { userId: string; reason: string }, now: number): string[] {
  return db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: input.reason })
    .where(and(eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id })
    .all()
    .map(({ id }) => id);
}

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
