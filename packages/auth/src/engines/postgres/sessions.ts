import { pgSchema } from '@tessera/db';
import { desc, eq } from 'drizzle-orm';
import { userSelection } from '../../accounts/users';
import * as fragment from '../../sessions/fragments';
import type { SessionSteps } from '../../sessions/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';

const { sessions, refreshTokens, users, passkeys } = pgSchema;

/** The first row a query returned, if any. */
const first = <T>(rows: T[]): T | undefined => rows[0];
/** How many rows a statement changed. */
const rowCount = (result: { rowCount: number | null }): number => result.rowCount ?? 0;

/**
 * The sessions' steps on PostgreSQL, on the pool or the rule's transaction (`pgEngine`). Where
 * SQLite takes its one write lock first (`BEGIN IMMEDIATE`), the steps that read what a rule then
 * decides on lock the rows they read (`FOR UPDATE`): a second exchange of the same token waits
 * for the first to commit, then reads the token as fragment.replaced, exactly as a second process does on
 * SQLite; a sign-in waits for a credential change on its user, or the change waits for it.
 *
 * @example
 * const sessionsPart = sessionOperations(pgEngine(db, pgSessionSteps));
 */
export const pgSessionSteps = (q: PgQueryable): SessionSteps => ({
  findToken: (tokenHash) =>
    awaited(
      q
        .select(fragment.tokenWithSession(refreshTokens, sessions))
        .from(refreshTokens)
        .innerJoin(sessions, fragment.sessionOfToken(refreshTokens, sessions))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update')
        .then(first),
    ),
  touchSession: (sessionId, now, idleExpiresAt) =>
    awaited(q.update(sessions).set(fragment.touched(now, idleExpiresAt)).where(eq(sessions.id, sessionId))),
  markReplaced: (exchange) =>
    awaited(
      q
        .update(refreshTokens)
        .set(fragment.replaced(exchange))
        .where(fragment.currentToken(refreshTokens, exchange.tokenId))
        .then(rowCount),
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
    awaited(
      q
        .select({ replacedAt: refreshTokens.replacedAt })
        .from(refreshTokens)
        .where(eq(refreshTokens.id, id))
        .then(first),
    ),
  countGraceHit: (tokenId) =>
    awaited(q.update(refreshTokens).set(fragment.graceHit(refreshTokens)).where(eq(refreshTokens.id, tokenId))),
  endSession: (sessionId, now, reason) =>
    awaited(q.update(sessions).set(fragment.ended(now, reason)).where(eq(sessions.id, sessionId))),
  lockUser: (userId) =>
    awaited(q.select(fragment.stampedUser(users)).from(users).where(eq(users.id, userId)).for('update').then(first)),
  insertSession: (session) => awaited(q.insert(sessions).values(session)),
  moveStamp: (change) =>
    awaited(
      q
        .update(users)
        .set(fragment.stampMoved(users, change))
        .where(fragment.stampToMove(users, change))
        .returning(fragment.stampedUser(users))
        .then(first),
    ),
  deletePasskeys: (userId) => awaited(q.delete(passkeys).where(eq(passkeys.userId, userId)).then(rowCount)),
  endSessionsOf: (userId, now, reason) =>
    awaited(
      q
        .update(sessions)
        .set(fragment.ended(now, reason))
        .where(fragment.unrevokedSessionsOf(sessions, userId))
        .returning({ id: sessions.id }),
    ),
  revokeSession: (input, now) =>
    awaited(
      q
        .update(sessions)
        .set(fragment.ended(now, input.reason))
        .where(fragment.unrevokedSession(sessions, input))
        .then(rowCount),
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
    awaited(
      q
        .update(sessions)
        .set(fragment.proved(now, proof.method))
        .where(fragment.liveSession(sessions, proof, now))
        .then(rowCount),
    ),
  sessionState: (input) =>
    awaited(
      q
        .select(fragment.sessionState(sessions))
        .from(sessions)
        .where(fragment.sessionOfUser(sessions, input))
        .then(first),
    ),
  expireGraceSuccessors: (before) =>
    awaited(
      q
        .update(refreshTokens)
        .set(fragment.successorForgotten)
        .where(fragment.graceSuccessorsDue(refreshTokens, before))
        .then(rowCount),
    ),
});

/** The columns a client may see, as `toUser` reads them (PostgreSQL's schema). */
export const userColumns = userSelection(users);

/** The user's session, if it has not ended: the condition an added passkey is checked against. */
export const liveSessionOfPg = (input: { sessionId: string; userId: string }, now: number) =>
  fragment.liveSession(sessions, input, now);
