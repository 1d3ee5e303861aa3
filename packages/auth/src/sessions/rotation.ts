import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Contended } from '../store/engine';
import type { Step } from '../store/step';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import {
  REPLACED_TOKENS_KEPT,
  type ReuseKind,
  type RotationRequest,
  type RotationResult,
  type SessionLifetimes,
  successorContext,
} from './sessions';
import type { FoundToken, SessionSteps } from './steps';

/**
 * The refresh-token rotation, with its reuse detection and grace window (docs/refresh.md): the
 * one place these rules are written, for every engine. It runs as an optimistic write
 * (`Engine.optimisticWrite`). The common path, a current token exchanged, is one read and one
 * write whose compare-and-swap checks the read: the token still not replaced, its session still
 * not ended. On SQLite both run inside one `BEGIN IMMEDIATE`, the write lock taken before the
 * read; on PostgreSQL they are two statements and no transaction, the write one statement that
 * locks the token's row, then its session's. A swap that fails, and every decision about a
 * replaced token (grace or reuse, which reads the successor too), run again under the lock: on
 * PostgreSQL in one transaction whose read locks the token's and the session's rows
 * (`FOR UPDATE`), retried on a deadlock.
 *
 * - A current token is marked replaced, and a new random successor stored (as a hash). The
 *   successor itself is also kept sealed in the replaced row, for the grace window only.
 * - The token replaced last, presented again within the grace window by the same client (two
 *   tabs, a response lost on the way), gets that same successor back, while the successor is
 *   still the session's live token: one lineage remains.
 * - Any other replaced token is a replay, a sign of theft: the whole session is revoked.
 * - Before all of these, a session bound to a device key (DPoP) is refused to a request that did
 *   not prove that key (`wrong_key`), and ends nothing: the token is a thief's copy, whoever's
 *   replay it would otherwise be. Under DPOP=required an unbound session is refused (`unbound`).
 *
 * Nothing derives a successor from its predecessor: neither an old token, nor a copy of the
 * database, nor both, yields the live token.
 *
 * @example
 * const result = await engine.optimisticWrite((steps, locked) =>
 *   rotateRefreshToken(steps, locked, lifetimes, { presentedToken, client, box }, Date.now()));
 * if (!result.ok) clearCookie();
 */
export function* rotateRefreshToken(
  steps: SessionSteps,
  locked: boolean,
  lifetimes: SessionLifetimes,
  request: RotationRequest,
  now: number,
): Step<RotationResult> {
  const found = yield* steps.findToken(hashRefreshToken(request.presentedToken));
  if (found === undefined) return { ok: false, reason: 'unknown', sessionId: null, userId: null };
  const { sessionId, userId, user } = found;
  // Before anything can end the session (reuse detection): a token presented without its key is
  // a thief's, who must not be able to end the owner's session with it either.
  if (found.dpopJkt !== null && found.dpopJkt !== request.dpopJkt) {
    return { ok: false, reason: 'wrong_key', sessionId, userId };
  }
  if (found.dpopJkt === null && request.requireBinding) return { ok: false, reason: 'unbound', sessionId, userId };
  if (found.revokedAt !== null) {
    return { ok: false, reason: 'revoked', revokedReason: found.revokedReason, sessionId, userId };
  }
  if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) {
    return { ok: false, reason: 'expired', sessionId, userId };
  }

  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
  const proof = { authTime: found.authTime, method: found.authMethod };
  const issued = (refreshToken: string, graceRetry: boolean): RotationResult => ({
    ok: true,
    graceRetry,
    sessionId,
    userId,
    user,
    refreshToken,
    expiresAt,
    proof,
    dpopJkt: found.dpopJkt,
  });

  if (found.replacedAt === null) {
    const successor = generateRefreshToken();
    const successorId = randomUUID();
    const exchanged = yield* steps.exchange({
      tokenId: found.tokenId,
      sessionId,
      now,
      idleExpiresAt: expiresAt,
      client: request.client,
      successor: {
        id: successorId,
        tokenHash: hashRefreshToken(successor),
        issuedAt: now,
        generation: found.generation + 1,
      },
      successorSealed: request.box.seal(successor, successorContext(found.tokenId)),
      // The exchanged token and the newest replaced ones stay: REPLACED_TOKENS_KEPT replaced in all.
      keptFrom: found.generation + 1 - REPLACED_TOKENS_KEPT,
    });
    if (exchanged) return issued(successor, false);
    if (locked) throw new Error('Refresh token changed under its lock');
    throw new Contended('the refresh token was exchanged, or its session ended, since it was read');
  }

  // A replaced token: the grace and reuse decisions read its successor's row too.
  if (!locked) throw new Contended('a replaced refresh token is judged under the lock');
  const reuse = yield* graceRetryRefusal(steps, found, request.client, lifetimes, now);
  if (reuse === null && found.successorSealed !== null) {
    yield* steps.countGraceHit(found.tokenId);
    yield* steps.touchSession(sessionId, now, expiresAt);
    return issued(request.box.open(found.successorSealed, successorContext(found.tokenId)), true);
  }
  yield* steps.endSession(sessionId, now, 'reuse_detected');
  return { ok: false, reason: 'reused', reuse: reuse ?? 'after_grace', sessionId, userId };
}

/**
 * Null when the replaced token may be retried: presented within the grace window, by the client
 * that exchanged it, and its successor is still the session's live token. Otherwise which rule
 * it broke. The successor's row is read only when the cheaper rules pass.
 */
function* graceRetryRefusal(
  steps: SessionSteps,
  found: FoundToken,
  client: string,
  lifetimes: SessionLifetimes,
  now: number,
): Step<ReuseKind | null> {
  if (found.replacedAt === null || found.replacedById === null || found.successorSealed === null) return 'after_grace';
  if (now - found.replacedAt >= lifetimes.refreshReuseGrace * 1000) return 'after_grace';
  const successor = yield* steps.successorOf(found.replacedById);
  if (successor === undefined || successor.replacedAt !== null) return 'not_latest';
  return found.rotatedBy !== null && safeEqual(found.rotatedBy, client) ? null : 'other_client';
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
