import type { DatabaseHealth, TesseraPgDb } from '@tessera/db';
import { pgSchema } from '@tessera/db';
import { eq, sql } from 'drizzle-orm';
import type { BackgroundDb, BackgroundSteps } from '../../store/background';
import { backgroundOperations, graceEnded, outbox, revocations } from '../../store/background';
import { awaited } from '../../store/step';
import { byKid, keyStateFields } from '../../tokens/signing-key-rules';
import { issueEmailTokenForPg } from './email-tokens';
import { type PgQueryable, pgEngine } from './engine';

const { sessions, refreshTokens, signingKeys, mailOutbox } = pgSchema;

/** A statement's rows changed. */
const changed = (query: PromiseLike<{ rowCount: number | null }>) => awaited(query.then((r) => r.rowCount ?? 0));

/** The background's statements on PostgreSQL; claims skip rows another sender holds (`SKIP LOCKED`). */
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
  expireGraceSuccessors: (before) =>
    changed(q.update(refreshTokens).set({ successorSealed: null }).where(graceEnded(refreshTokens, before))),
  anyMailDue: (now) =>
    awaited(q.select({ id: mailOutbox.id }).from(mailOutbox).where(outbox.due(mailOutbox, now)).limit(1)),
  claimDueMail: (now, leaseUntil, limit) => {
    const due = q
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(outbox.due(mailOutbox, now))
      .orderBy(outbox.dueFirst(mailOutbox))
      .limit(limit)
      .for('update', { skipLocked: true });
    const claim = q
      .update(mailOutbox)
      .set(outbox.leased(mailOutbox, leaseUntil))
      .where(sql`${mailOutbox.id} in ${due}`);
    return awaited(claim.returning(outbox.fields(mailOutbox)));
  },
  markMailSent: (id, now) => awaited(q.update(mailOutbox).set(outbox.sent(now)).where(eq(mailOutbox.id, id))),
  retryMailAt: (id, at, error) =>
    awaited(q.update(mailOutbox).set(outbox.retrying(at, error)).where(eq(mailOutbox.id, id))),
  markMailFailed: (id, now, error) =>
    awaited(q.update(mailOutbox).set(outbox.failed(now, error)).where(eq(mailOutbox.id, id))),
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
    issueEmailTokenFor: (token, now) => issueEmailTokenForPg(db, token, now),
    async close() {},
  };
}
