import { randomUUID } from 'node:crypto';
import { refreshTokens, sessions, type TesseraDb } from '@tessera/db';
import { and, eq, isNull } from 'drizzle-orm';
import { generateRefreshToken, hashRefreshToken } from './refresh-token';

export interface SessionLifetimes {
  /** Seconds without a refresh after which a session dies. */
  refreshIdleTtl: number;
  /** Seconds after sign-in after which a session dies regardless. */
  sessionMaxAge: number;
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
export type RotationResult = ({ ok: true } & IssuedRefreshToken) | { ok: false; reason: RotationFailure };

/** Longest user agent kept: enough to recognise a browser, too short to fill the disk. */
const MAX_USER_AGENT_LENGTH = 512;

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
  const refreshToken = generateRefreshToken();
  db.transaction((tx) => {
    tx.insert(sessions)
      .values({
        id: sessionId,
        userId: input.userId,
        userAgent: input.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
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
 * Exchanges a refresh token for its successor, in one IMMEDIATE transaction (the write lock is
 * taken before the read, so two processes cannot both read the token as current). The update is a
 * compare-and-swap on `replaced_at IS NULL` as well, so only one exchange of a token ever wins.
 * Presenting a token that was already exchanged is a replay: the whole session is revoked.
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
  const tokenHash = hashRefreshToken(presentedToken);
  return db.transaction(
    (tx): RotationResult => {
      const found = tx
        .select({
          tokenId: refreshTokens.id,
          sessionId: sessions.id,
          userId: sessions.userId,
          revokedAt: sessions.revokedAt,
          idleExpiresAt: sessions.idleExpiresAt,
          absoluteExpiresAt: sessions.absoluteExpiresAt,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .get();
      if (!found) return { ok: false, reason: 'unknown' };
      if (found.revokedAt !== null) return { ok: false, reason: 'revoked' };
      if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) return { ok: false, reason: 'expired' };

      const successor = { id: randomUUID(), token: generateRefreshToken() };
      const swapped = tx
        .update(refreshTokens)
        .set({ replacedAt: now, replacedById: successor.id })
        .where(and(eq(refreshTokens.id, found.tokenId), isNull(refreshTokens.replacedAt)))
        .run();
      if (swapped.changes !== 1) {
        tx.update(sessions)
          .set({ revokedAt: now, revokedReason: 'reuse_detected' })
          .where(eq(sessions.id, found.sessionId))
          .run();
        return { ok: false, reason: 'reused' };
      }

      const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
      tx.insert(refreshTokens)
        .values({
          id: successor.id,
          sessionId: found.sessionId,
          tokenHash: hashRefreshToken(successor.token),
          issuedAt: now,
        })
        .run();
      tx.update(sessions)
        .set({ lastUsedAt: now, idleExpiresAt: expiresAt })
        .where(eq(sessions.id, found.sessionId))
        .run();
      return { ok: true, sessionId: found.sessionId, userId: found.userId, refreshToken: successor.token, expiresAt };
    },
    { behavior: 'immediate' },
  );
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
