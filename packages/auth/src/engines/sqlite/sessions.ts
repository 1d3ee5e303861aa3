import { passkeys, recoveryCodes, refreshTokens, sessions, type TesseraDb, users } from '@tessera/db';
import { desc, eq, sql } from 'drizzle-orm';
import * as fragment from '../../sessions/fragments';
import { NEW_SESSION_COLUMNS, type SessionSteps } from '../../sessions/steps';
import { placeholders } from '../../store/placeholders';
import { immediate } from '../../store/step';

const p = sql.placeholder;

/**
 * Clears the sealed successors of tokens replaced before `before` (epoch ms: now minus the grace
 * window), so that a copy of the database taken later holds none: the statement, unrun, for the
 * background worker to take its SQL from (`.toSQL()` with a placeholder).
 */
export const expireGraceSuccessorsQuery = (db: Pick<TesseraDb, 'update'>, before: fragment.Param<number>) =>
  db.update(refreshTokens).set(fragment.successorForgotten).where(fragment.graceSuccessorsDue(refreshTokens, before));

/**
 * Every static statement of the sessions' rules, built by Drizzle from the shared fragments and
 * prepared by SQLite once per database: a rotation runs up to five of them, and building and
 * preparing them on every call was a third of its CPU (measured with `node --cpu-prof` under
 * `npm run bench`).
 */
function prepare(db: TesseraDb) {
  const userSession = placeholders('sessionId', 'userId');
  return {
    findToken: db
      .select(fragment.tokenWithSession(refreshTokens, sessions, users))
      .from(refreshTokens)
      .innerJoin(sessions, fragment.sessionOfToken(refreshTokens, sessions))
      .innerJoin(users, fragment.userOfSession(sessions, users))
      .where(eq(refreshTokens.tokenHash, p('tokenHash')))
      .prepare(),
    touchSession: db
      .update(sessions)
      .set(fragment.touched(p('now'), p('idleExpiresAt')))
      .where(eq(sessions.id, p('sessionId')))
      .prepare(),
    touchUnrevokedSession: db
      .update(sessions)
      .set(fragment.touched(p('now'), p('idleExpiresAt')))
      .where(fragment.unrevokedSessionById(sessions, p('sessionId')))
      .prepare(),
    markReplaced: db
      .update(refreshTokens)
      .set(fragment.replaced(placeholders('now', 'successorId', 'successorSealed', 'client')))
      .where(fragment.currentToken(refreshTokens, p('tokenId')))
      .prepare(),
    insertToken: db
      .insert(refreshTokens)
      .values(placeholders('id', 'sessionId', 'tokenHash', 'issuedAt', 'generation'))
      .prepare(),
    pruneReplaced: db
      .delete(refreshTokens)
      .where(fragment.replacedBefore(refreshTokens, p('sessionId'), p('keptFrom')))
      .prepare(),
    successorOf: db
      .select({ replacedAt: refreshTokens.replacedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.id, p('id')))
      .prepare(),
    countGraceHit: db
      .update(refreshTokens)
      .set(fragment.graceHit(refreshTokens))
      .where(eq(refreshTokens.id, p('tokenId')))
      .prepare(),
    endSession: db
      .update(sessions)
      .set(fragment.ended(p('now'), p('reason')))
      .where(eq(sessions.id, p('sessionId')))
      .prepare(),
    lockUser: db
      .select(fragment.stampedUser(users))
      .from(users)
      .where(eq(users.id, p('userId')))
      .prepare(),
    insertSession: db
      .insert(sessions)
      .values(placeholders(...NEW_SESSION_COLUMNS))
      .prepare(),
    deletePasskeys: db
      .delete(passkeys)
      .where(eq(passkeys.userId, p('userId')))
      .prepare(),
    endSessionsOf: db
      .update(sessions)
      .set(fragment.ended(p('now'), p('reason')))
      .where(fragment.unrevokedSessionsOf(sessions, p('userId')))
      .returning({ id: sessions.id })
      .prepare(),
    revokeSession: db
      .update(sessions)
      .set(fragment.ended(p('now'), p('reason')))
      .where(fragment.unrevokedSession(sessions, userSession))
      .prepare(),
    listLiveSessions: db
      .select(fragment.sessionSummary(sessions))
      .from(sessions)
      .where(fragment.liveSessionsOf(sessions, p('userId'), p('now')))
      .orderBy(desc(sessions.lastUsedAt))
      .prepare(),
    recordProof: db
      .update(sessions)
      .set(fragment.proved(p('now'), p('method')))
      .where(fragment.liveSession(sessions, userSession, p('now')))
      .prepare(),
    sessionState: db
      .select(fragment.sessionState(sessions))
      .from(sessions)
      .where(fragment.sessionOfUser(sessions, userSession))
      .prepare(),
    expireGraceSuccessors: expireGraceSuccessorsQuery(db, p('before')).prepare(),
  };
}

type Statements = ReturnType<typeof prepare>;
const prepared = new WeakMap<TesseraDb, Statements>();

/** The statements for `db`, prepared the first time they are asked for, and kept as long as `db` is. */
function statementsOf(db: TesseraDb): Statements {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  return statements;
}

/**
 * The sessions' steps on SQLite: each runs its prepared statement at once, inside whatever
 * transaction the engine holds (a write's `BEGIN IMMEDIATE` is the only lock they need).
 *
 * @example
 * const sessionsPart = sessionOperations(sqliteEngine(db, sqliteSessionSteps(db)));
 */
export function sqliteSessionSteps(db: TesseraDb): SessionSteps {
  const s = statementsOf(db);
  return {
    findToken: (tokenHash) => immediate(() => s.findToken.get({ tokenHash })),
    touchSession: (sessionId, now, idleExpiresAt) =>
      immediate(() => s.touchSession.run({ sessionId, now, idleExpiresAt })),
    // Under the write lock the swap cannot fail; its conditions are checked all the same.
    exchange: (exchange) =>
      immediate(() => {
        const { sessionId, now } = exchange;
        const swap = { ...exchange, successorId: exchange.successor.id };
        if (s.markReplaced.run(swap).changes !== 1) return false;
        const touch = { sessionId, now, idleExpiresAt: exchange.idleExpiresAt };
        if (s.touchUnrevokedSession.run(touch).changes !== 1) return false;
        s.pruneReplaced.run({ sessionId, keptFrom: exchange.keptFrom });
        s.insertToken.run({ ...exchange.successor, sessionId });
        return true;
      }),
    insertToken: (token) => immediate(() => s.insertToken.run(token)),
    successorOf: (id) => immediate(() => s.successorOf.get({ id })),
    countGraceHit: (tokenId) => immediate(() => s.countGraceHit.run({ tokenId })),
    endSession: (sessionId, now, reason) => immediate(() => s.endSession.run({ sessionId, now, reason })),
    lockUser: (userId) => immediate(() => s.lockUser.get({ userId })),
    insertSession: (session) => immediate(() => s.insertSession.run(session)),
    // Built for each change: which columns it sets depends on the change (and changes are rare).
    moveStamp: (change) =>
      immediate(() =>
        db
          .update(users)
          .set(fragment.stampMoved(users, change))
          .where(fragment.stampToMove(users, change, sessions))
          .returning(fragment.stampedUser(users))
          .get(),
      ),
    deletePasskeys: (userId) => immediate(() => s.deletePasskeys.run({ userId }).changes),
    deleteRecoveryCodes: (userId) =>
      immediate(() => void db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run()),
    endSessionsOf: (userId, now, reason) => immediate(() => s.endSessionsOf.all({ userId, now, reason })),
    revokeSession: (input, now) => immediate(() => s.revokeSession.run({ ...input, now }).changes),
    listLiveSessions: (userId, now) => immediate(() => s.listLiveSessions.all({ userId, now })),
    recordProof: (proof, now) => immediate(() => s.recordProof.run({ ...proof, now }).changes),
    sessionState: (input) => immediate(() => s.sessionState.get(input)),
    expireGraceSuccessors: (before) => immediate(() => s.expireGraceSuccessors.run({ before }).changes),
  };
}
