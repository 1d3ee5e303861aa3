import type { DatabaseHealth, TesseraPgDb } from '@tessera/db';
import { pgSchema } from '@tessera/db';
import { and, asc, gt, isNotNull, lt, sql } from 'drizzle-orm';
import { mailOutboxOperations } from '../../mailed-links/outbox';
import type { BackgroundDb } from '../sqlite/background';
import { pgEngine } from './engine';
import { pgMailedLinkSteps } from './mailed-links';

const { sessions, refreshTokens } = pgSchema;

/**
 * The timed database work on PostgreSQL, on the pool: the server's timers await it like any
 * query, and a slow database delays only them (no statement here holds a lock for long).
 *
 * @example
 * const background = createPgBackground(db);
 */
export function createPgBackground(db: TesseraPgDb): BackgroundDb {
  return {
    async revokedAfter(after) {
      const rows = await db
        .select({ sessionId: sessions.id, revokedAt: sessions.revokedAt })
        .from(sessions)
        .where(gt(sessions.revokedAt, after))
        .orderBy(asc(sessions.revokedAt));
      return rows.flatMap(({ sessionId, revokedAt }) => (revokedAt === null ? [] : [{ sessionId, revokedAt }]));
    },
    async signingKeysVersion() {
      const result = await db.execute<{ version: string }>(
        sql`select coalesce(string_agg(kid || ':' || coalesce(retired_at::text, '') || ':' || coalesce(revoked_at::text, ''), ' ' order by kid), '') as version from signing_keys`,
      );
      return result.rows[0]?.version ?? '';
    },
    async expireGraceSuccessors(before) {
      const result = await db
        .update(refreshTokens)
        .set({ successorSealed: null })
        .where(and(isNotNull(refreshTokens.successorSealed), lt(refreshTokens.replacedAt, before)));
      return result.rowCount ?? 0;
    },
    async writeHealth(): Promise<DatabaseHealth> {
      try {
        // A standby, or a database set read-only, answers reads and refuses every write.
        const result = await db.execute<{ readOnly: boolean }>(
          sql`select pg_is_in_recovery() or current_setting('transaction_read_only') = 'on' as "readOnly"`,
        );
        return result.rows[0]?.readOnly ? 'read-only' : 'ok';
      } catch {
        return 'unavailable';
      }
    },
    ...mailOutboxOperations(pgEngine(db, pgMailedLinkSteps)),
    async close() {},
  };
}
