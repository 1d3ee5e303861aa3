import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Step } from '../store/step';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import {
  type ReuseKind,
  type RotationRequest,
  type RotationResult,
  type SessionLifetimes,
  successorContext,
} from './sessions';
import type { FoundToken, SessionSteps } from './steps';

/**
 * The refresh-token rotation, with its reuse detection and grace window (docs/refresh.md): the
 * one place these rules are written, for every engine. It runs as one write transaction
 * (`Engine.write`): on SQLite one `BEGIN IMMEDIATE` over statements prepared once, the write
 * lock taken before the read, so two processes cannot both see the token as current; on
 * PostgreSQL the token's and its session's rows locked by the read (`FOR UPDATE`), a second
 * exchange of the same token waiting for the first to commit, and a deadlock retried. The
 * update is a compare-and-swap on `replaced_at IS NULL` as well.
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
 * const result = await engine.write((steps) => rotateRefreshToken(steps, lifetimes, { presentedToken, client, box }, Date.now()));
 * if (!result.ok) clearCookie();
 */
export function* rotateRefreshToken(
  steps: SessionSteps,
  lifetimes: SessionLifetimes,
  request: RotationRequest,
  now: number,
): Step<RotationResult> {
  const found = yield* steps.findToken(hashRefreshToken(request.presentedToken));
  if (found === undefined) return { ok: false, reason: 'unknown', sessionId: null, userId: null };
  const { sessionId, userId } = found;
  if (found.revokedAt !== null) return { ok: false, reason: 'revoked', sessionId, userId };
  if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) {
    return { ok: false, reason: 'expired', sessionId, userId };
  }

  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
  const proof = { authTime: found.authTime, method: found.authMethod };
  function* issued(refreshToken: string, graceRetry: boolean): Step<RotationResult> {
    yield* steps.touchSession(sessionId, now, expiresAt);
    return { ok: true, graceRetry, sessionId, userId, refreshToken, expiresAt, proof };
  }

  if (found.replacedAt === null) {
    const successor = generateRefreshToken();
    const successorId = randomUUID();
    const successorSealed = request.box.seal(successor, successorContext(found.tokenId));
    const exchange = { tokenId: found.tokenId, now, successorId, successorSealed, client: request.client };
    // The row has been locked since the read: nobody can have replaced it in between.
    if ((yield* steps.markReplaced(exchange)) !== 1) throw new Error('Refresh token changed under its lock');
    yield* steps.insertToken({ id: successorId, sessionId, tokenHash: hashRefreshToken(successor), issuedAt: now });
    // Once a newer exchange happened, an older token's successor is never handed out again.
    yield* steps.forgetOlderSuccessors(sessionId, found.tokenId);
    // Keeps the session's newest REPLACED_TOKENS_KEPT replaced tokens (and its live one).
    yield* steps.pruneReplaced(sessionId);
    return yield* issued(successor, false);
  }

  const reuse = yield* graceRetryRefusal(steps, found, request.client, lifetimes, now);
  if (reuse === null && found.successorSealed !== null) {
    yield* steps.countGraceHit(found.tokenId);
    return yield* issued(request.box.open(found.successorSealed, successorContext(found.tokenId)), true);
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
