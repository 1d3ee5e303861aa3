import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { and, desc, eq, type Placeholder, type SQL, type SQLChunk, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { PgColumn } from 'drizzle-orm/pg-core';
import * as fragment from '../../sessions/fragments';
import type { SessionSteps } from '../../sessions/steps';
import { placeholders } from '../../store/placeholders';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';
import { namedStatement, preparedPerPool } from './named-statement';
import { changed, firstRow, run } from './statement-steps';

const { sessions, refreshTokens, users, passkeys, recoveryCodes } = pgSchema;

/** The rotation's read, as built: the token, its session and its user. */
const tokenRead = (q: PgQueryable) =>
  q
    .select(fragment.tokenWithSession(refreshTokens, sessions, users))
    .from(refreshTokens)
    .innerJoin(sessions, fragment.sessionOfToken(refreshTokens, sessions))
    .innerJoin(users, fragment.userOfSession(sessions, users));

/** `value` cast to `column`'s type: in a select list PostgreSQL cannot tell a parameter's type. */
const castTo = (column: PgColumn, value: Placeholder): SQL => sql`${value}::${sql.raw(column.getSQLType())}`;

/**
 * The exchange (`SessionSteps.exchange`) as one statement, so that the common refresh is two
 * round trips (the read, this) and no transaction. The swap comes first: it locks the token's
 * row, then the session's touch, which requires it, locks the session's row, in the order a
 * locked read (`FOR UPDATE`) takes them, so the two cannot deadlock. A session revoked meanwhile
 * is seen by the touch (PostgreSQL re-reads a row it waited for); the prune and the successor
 * require the touch. The answer is whether the touch happened: if not, the rotation is run again
 * under the lock, which finds the session revoked (a token swapped in vain changes nothing then).
 */
function exchangeStatement(db: Pick<TesseraPgDb, 'update' | 'delete'>): SQL {
  const p = placeholders('tokenId', 'sessionId', 'now', 'idleExpiresAt', 'client', 'successorSealed', 'keptFrom');
  const successor = placeholders('successorId', 'successorHash', 'successorGeneration');
  const swapped = db
    .update(refreshTokens)
    .set(fragment.replaced({ ...p, successorId: successor.successorId }))
    .where(fragment.currentToken(refreshTokens, p.tokenId))
    .returning({ id: refreshTokens.id });
  const touched = db
    .update(sessions)
    .set(fragment.touched(p.now, p.idleExpiresAt))
    .where(and(fragment.unrevokedSessionById(sessions, p.sessionId), sql`exists (select 1 from swapped)`))
    .returning({ id: sessions.id });
  const pruned = db
    .delete(refreshTokens)
    .where(and(fragment.replacedBefore(refreshTokens, p.sessionId, p.keptFrom), sql`exists (select 1 from touched)`));
  const t = refreshTokens;
  const successorRow: Array<[PgColumn, Placeholder]> = [
    [t.id, successor.successorId],
    [t.sessionId, p.sessionId],
    [t.tokenHash, successor.successorHash],
    [t.issuedAt, p.now],
    [t.generation, successor.successorGeneration],
  ];
  const list = (items: SQLChunk[]) => sql.join(items, sql`, `);
  return sql`with swapped as ${swapped}, touched as ${touched}, pruned as ${pruned}
insert into ${t} (${list(successorRow.map(([column]) => sql.identifier(column.name)))})
select ${list(successorRow.map(([column, value]) => castTo(column, value)))} from touched
returning 1 as exchanged`;
}

/** The exchange, built once (Drizzle without a connection only renders SQL). */
const exchangeQuery = namedStatement<{ exchanged: number }>('tessera_exchange', exchangeStatement(drizzle.mock()));

/**
 * The rotation's read on the pool (its optimistic path, no lock), prepared once per pool. Drizzle
 * builds its SQL once, PostgreSQL plans it once per connection: measured with `node --cpu-prof`
 * under `npm run bench`, building and sending a statement cost more server CPU than PostgreSQL
 * spent running it.
 */
const findTokenOn = preparedPerPool((pool) =>
  tokenRead(pool)
    .where(eq(refreshTokens.tokenHash, sql.placeholder('tokenHash')))
    .prepare('tessera_find_token'),
);

/**
 * The sessions' steps on PostgreSQL, on the pool or the rule's transaction (`pgEngine`). Where
 * SQLite takes its one write lock first (`BEGIN IMMEDIATE`), the steps that read what a rule then
 * decides on lock the rows they read (`FOR UPDATE`) in a transaction: a second exchange of the
 * same token waits for the first to commit, then reads the token as replaced, exactly as a second
 * process does on SQLite; a sign-in waits for a credential change on its user, or the change
 * waits for it. On the pool (the rotation's optimistic path) nothing is locked by a read: the
 * exchange's compare-and-swap checks it.
 *
 * @example
 * const sessionsPart = sessionOperations(pgEngine(db, pgSessionSteps));
 */
export const pgSessionSteps = (q: PgQueryable, inTransaction = true): SessionSteps => ({
  findToken: (tokenHash) =>
    inTransaction
      ? firstRow(
          tokenRead(q)
            .where(eq(refreshTokens.tokenHash, tokenHash))
            .for('update', { of: [refreshTokens, sessions] }),
        )
      : firstRow(findTokenOn(q).execute({ tokenHash })),
  touchSession: (sessionId, now, idleExpiresAt) =>
    awaited(q.update(sessions).set(fragment.touched(now, idleExpiresAt)).where(eq(sessions.id, sessionId))),
  exchange: function* (exchange) {
    const { rows } = yield* awaited(
      exchangeQuery(q, {
        ...exchange,
        successorId: exchange.successor.id,
        successorHash: exchange.successor.tokenHash,
        successorGeneration: exchange.successor.generation,
      }),
    );
    return rows.length === 1;
  },
  insertToken: (token) => awaited(q.insert(refreshTokens).values(token)),
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
        .where(fragment.stampToMove(users, change, sessions))
        .returning(fragment.stampedUser(users)),
    ),
  deletePasskeys: (userId) => changed(q.delete(passkeys).where(eq(passkeys.userId, userId))),
  deleteRecoveryCodes: (userId) => run(q.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))),
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
