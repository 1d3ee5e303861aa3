import { pgSchema } from '@tessera/db';
import { desc, eq } from 'drizzle-orm';
import * as fragment from '../../sessions/fragments';
import type { SessionSteps } from '../../sessions/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { changed, firstRow } from './statement-steps';

const { sessions, refreshTokens, users, passkeys } = pgSchema;

/**
 * The sessions' steps on PostgreSQL, on the pool or the rule's transaction (`pgEngine`). Where
 * SQLite takes its one write lock first (`BEGIN IMMEDIATE`), the steps that read what a rule then
 * decides on lock the rows they read (`FOR UPDATE`): a second exchange of the same token waits
 * for the first to commit, then reads the token as replaced, exactly as a second process does on
 * SQLite; a sign-in waits for a credential change on its user, or the change waits for it.
 *
 * @example
 * const sessionsPart = sessionOperations(pgEngine(db, pgSessionSteps));
 */
export const pgSessionSteps = (q: PgQueryable): SessionSteps => ({
  findToken: (tokenHash) =>
    firstRow(
      q
        .select(fragment.tokenWithSession(refreshTokens, sessions))
        .from(refreshTokens)
        .innerJoin(sessions, fragment.sessionOfToken(refreshTokens, sessions))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update'),
    ),
  touchSession: (sessionId, now, idleExpiresAt) =>
    awaited(q.update(sessions).set(fragment.touched(now, idleExpiresAt)).where(eq(sessions.id, sessionId))),
  markReplaced: (exchange) =>
    changed(
      q
        .update(refreshTokens)
        .set(fragment.replaced(exchange))
        .where(fragment.currentToken(refreshTokens, exchange.tokenId)),
    ),
  insertToken: (token) => awaited(q.insert(refreshTokens).values(token)),
  forgetOlderSuccessors: (sessionId, keepTokenId) =>
    awaited(
      q
        .update(refreshTokens)
        .set(fragment.successorForgotten)
        .where(fragment.olderSuccessors(refreshTokens, sessionId, keepTokenId)),
    ),
  pruneReplaced: (sessionId) =>
    awaited(q.delete(refreshTokens).where(fragment.replacedBeyondKept(refreshTokens, sessionId))),
  successorOf: (id) =>
    firstRow(q.select({ replacedAt: refreshTokens.replacedAt }).from(refreshTokens).where(eq(refreshTokens.id, id))),
  countGraceHit: (tokenId) =>
    awaited(q.update(refreshTokens).set(fragment.graceHit(refreshTokens)).where(eq(refreshTokens.id, tokenId))),
  endSession: (sessionId, now, reason) =>
    awaited(q.update(sessions).set(fragment.ended(now, reason)).where(eq(sessions.id, sessionId))),
  lockUser: (userId) =>
    firstRow(q.select(fragment.stampedUser(users)).from(users).where(eq(users.id, userId)).for('update')),
  insertSession: (session) => awaited(q.insert(sessions).values(session)),
  moveStamp: (change) =>
    firstRow(
      q
        .update(users)
        .set(fragment.stampMoved(users, change))
        .where(fragment.stampToMove(users, change))
        .returning(fragment.stampedUser(users)),
    ),
  deletePasskeys: (userId) => changed(q.delete(passkeys).where(eq(passkeys.userId, userId))),
  endSessionsOf: (userId, now, reason) =>
    awaited(
      q
        .update(sessions)
        .set(fragment.ended(now, reason))
        .where(fragment.unrevokedSessionsOf(sessions, userId))
        .returning({ id: sessions.id }),
    ),
  revokeSession: (input, now) =>
    changed(
      q.update(sessions).set(fragment.ended(now, input.reason)).where(fragment.unrevokedSession(sessions, input)),
    ),
  listLiveSessions: (userId, now) =>
    awaited(
      q
        .select(fragment.sessionSummary(sessions))
        .from(sessions)
        .where(fragment.liveSessionsOf(sessions, userId, now))
        .orderBy(desc(sessions.lastUsedAt)),
    ),
  recordProof: (proof, now) =>
    changed(
      q
        .update(sessions)
        .set(fragment.proved(now, proof.method))
        .where(fragment.liveSession(sessions, proof, now)),
    ),
  sessionState: (input) =>
    firstRow(q.select(fragment.sessionState(sessions)).from(sessions).where(fragment.sessionOfUser(sessions, input))),
  expireGraceSuccessors: (before) =>
    changed(
      q
        .update(refreshTokens)
        .set(fragment.successorForgotten)
        .where(fragment.graceSuccessorsDue(refreshTokens, before)),
    ),
});
