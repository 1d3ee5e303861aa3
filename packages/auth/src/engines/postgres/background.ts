import type { DatabaseHealth, TesseraPgDb } from '@tessera/db';
import { pgSchema } from '@tessera/db';
import { sql } from 'drizzle-orm';
import { mailOutboxOperations } from '../../mailed-links/outbox';
import type { BackgroundDb, BackgroundSteps } from '../../store/background';
import { backgroundOperations, revocations } from '../../store/background';
import { awaited } from '../../store/step';
import { byKid, keyStateFields } from '../../tokens/signing-key-rules';
import { type PgQueryable, pgEngine } from './engine';
import { pgMailedLinkSteps } from './mailed-links';
import { pgSessionSteps } from './sessions';

const { sessions, signingKeys } = pgSchema;

/** The background's own statements on PostgreSQL (the grace sweep is the sessions'). */
const pgBackgroundSteps = (q: PgQueryable): BackgroundSteps => ({
  revokedAfter: (after) =>
    awaited(
      q
        .select(revocations.fields(sessions))
        .from(sessions)
        .where(revocations.since(sessions, after))
        .orderBy(revocations.oldestFirst(sessions)),
    ),
  signingKeyStates: () => awaited(q.select(keyStateFields(signingKeys)).from(signingKeys).orderBy(byKid(signingKeys))),
  expireGraceSuccessors: (before) => pgSessionSteps(q).expireGraceSuccessors(before),
});

/**
 * The timed database work on PostgreSQL, on the pool: the server's timers await it like any
 * query, and a slow database delays only them (no statement here holds a lock for long).
 *
 * @example
 * const background = createPgBackground(db);
 */
export function createPgBackground(db: TesseraPgDb): BackgroundDb {
  return {
    ...backgroundOperations(pgEngine(db, pgBackgroundSteps)),
    ...mailOutboxOperations(pgEngine(db, pgMailedLinkSteps)),
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
    async close() {},
  };
}
