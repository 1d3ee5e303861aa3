import { refreshTokens, sessions, type TesseraDb } from '@tessera/db';
import { and, desc, eq, isNotNull, isNull, ne, notInArray, sql } from 'drizzle-orm';

/**
 * Replaced tokens kept per session, newest first, to recognise a replay. An older one presented
 * again is simply unknown (refused, but it no longer revokes the session): rows stay bounded
 * however long a session lives.
 */
export const REPLACED_TOKENS_KEPT = 50;

const p = sql.placeholder;
/** A placeholder where Drizzle's types want SQL (an update's `set`). */
const value = (name: string) => sql`${sql.placeholder(name)}`;

/**
 * Every statement of a refresh-token rotation, built by Drizzle and prepared by SQLite once per
 * database: a rotation runs them all, and building and preparing them on every call was a third
 * of its CPU (measured with `node --cpu-prof` under `npm run bench`).
 */
function prepare(db: TesseraDb) {
  return {
    findByHash: db
      .select({
        tokenId: refreshTokens.id,
        replacedAt: refreshTokens.replacedAt,
        replacedById: refreshTokens.replacedById,
        successorSealed: refreshTokens.successorSealed,
        rotatedBy: refreshTokens.rotatedBy,
        sessionId: sessions.id,
        userId: sessions.userId,
        revokedAt: sessions.revokedAt,
        idleExpiresAt: sessions.idleExpiresAt,
        absoluteExpiresAt: sessions.absoluteExpiresAt,
        authTime: sessions.authTime,
        authMethod: sessions.authMethod,
      })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, p('tokenHash')))
      .prepare(),
    touchSession: db
      .update(sessions)
      .set({ lastUsedAt: value('now'), idleExpiresAt: value('expiresAt') })
      .where(eq(sessions.id, p('sessionId')))
      .prepare(),
    // A compare-and-swap on `replaced_at IS NULL`.
    markReplaced: db
      .update(refreshTokens)
      .set({
        replacedAt: value('now'),
        replacedById: value('successorId'),
        successorSealed: value('successorSealed'),
        rotatedBy: value('client'),
      })
      .where(and(eq(refreshTokens.id, p('tokenId')), isNull(refreshTokens.replacedAt)))
      .prepare(),
    insertSuccessor: db
      .insert(refreshTokens)
      .values({ id: p('id'), sessionId: p('sessionId'), tokenHash: p('tokenHash'), issuedAt: p('now') })
      .prepare(),
    forgetOlderSuccessors: db
      .update(refreshTokens)
      .set({ successorSealed: null })
      .where(
        and(
          eq(refreshTokens.sessionId, p('sessionId')),
          ne(refreshTokens.id, p('keepTokenId')),
          isNotNull(refreshTokens.successorSealed),
        ),
      )
      .prepare(),
    pruneReplaced: db
      .delete(refreshTokens)
      .where(
        and(
          eq(refreshTokens.sessionId, p('sessionId')),
          isNotNull(refreshTokens.replacedAt),
          notInArray(
            refreshTokens.id,
            db
              .select({ id: refreshTokens.id })
              .from(refreshTokens)
              .where(eq(refreshTokens.sessionId, p('sessionId')))
              .orderBy(desc(refreshTokens.issuedAt))
              .limit(REPLACED_TOKENS_KEPT + 1),
          ),
        ),
      )
      .prepare(),
    successorReplacedAt: db
      .select({ replacedAt: refreshTokens.replacedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.id, p('id')))
      .prepare(),
    countGraceHit: db
      .update(refreshTokens)
      .set({ graceHits: sql`${refreshTokens.graceHits} + 1` })
      .where(eq(refreshTokens.id, p('tokenId')))
      .prepare(),
    revokeForReuse: db
      .update(sessions)
      .set({ revokedAt: value('now'), revokedReason: 'reuse_detected' })
      .where(eq(sessions.id, p('sessionId')))
      .prepare(),
  };
}

export type RotationStatements = ReturnType<typeof prepare>;

const prepared = new WeakMap<TesseraDb, RotationStatements>();

/**
 * The rotation's statements for `db`, prepared on first use.
 *
 * @example
 * const found = rotationStatements(db).findByHash.get({ tokenHash });
 */
export function rotationStatements(db: TesseraDb): RotationStatements {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = prepare(db);
    prepared.set(db, statements);
  }
  return statements;
}
