import { type DatabaseHealth, sessions, type TesseraDb, writeHealth } from '@tessera/db';
import type { MailOutbox } from '@tessera/mail';
import { asc, gt } from 'drizzle-orm';
import type { NewEmailTokenFor } from '../../mailed-links/email-tokens';
import { mailOutboxOperations } from '../../mailed-links/outbox';
import type { RevocationReader } from '../../revocation/revocation-feed';
import { sqliteEngine } from './engine';
import { sqliteMailedLinkSteps } from './mailed-links';
import { expireGraceSuccessors } from './sessions';
import { signingKeysVersion } from './signing-keys';

/**
 * The database work a server runs on timers rather than for a request: reading the sessions
 * other processes revoked (and whether they changed the signing keys), clearing refresh
 * successors whose grace window has passed, and the mail outbox the sender works through. Also
 * the one piece of a request's work whose cost must not show in the server's timing: the
 * password-reset link.
 */
export interface BackgroundDb extends RevocationReader, MailOutbox {
  /** Every engine's: the default (polling) feed learns of other processes' rotations from it. */
  signingKeysVersion(): Promise<string>;
  /** Clears sealed successors of tokens replaced before `before` (epoch ms); resolves to how many. */
  expireGraceSuccessors(before: number): Promise<number>;
  /**
   * Issues a mailed token to whoever has the address, if anyone (see `issueEmailTokenFor`);
   * resolves to whether someone had it. A reset request ends here after its answer: on a SQLite
   * file the lookup and the writes run in the worker, so the time a known address costs the
   * event loop is the same as an unknown one's (issue 20, finding 8).
   */
  issueEmailTokenFor(token: NewEmailTokenFor, now: number): Promise<boolean>;
  /** Whether the database would take a write now, proven without writing: what `/healthz` asks. */
  writeHealth(): Promise<DatabaseHealth>;
}

/**
 * Runs that work on the caller's own connection, in this thread: right for an in-memory database
 * (tests) and a single process. A server on a file uses `createSqliteWorker`, so that a locked
 * database cannot stall its event loop.
 *
 * @example
 * const background = createInThreadBackground(db);
 */
export function createInThreadBackground(db: TesseraDb): BackgroundDb {
  return {
    async revokedAfter(after) {
      const rows = db
        .select({ sessionId: sessions.id, revokedAt: sessions.revokedAt })
        .from(sessions)
        .where(gt(sessions.revokedAt, after))
        .orderBy(asc(sessions.revokedAt))
        .all();
      return rows.flatMap(({ sessionId, revokedAt }) => (revokedAt === null ? [] : [{ sessionId, revokedAt }]));
    },
    async signingKeysVersion() {
      return signingKeysVersion(db);
    },
    async expireGraceSuccessors(before) {
      return expireGraceSuccessors(db, before);
    },
    async writeHealth() {
      return writeHealth(db.$client);
    },
    ...mailOutboxOperations(sqliteEngine(db, sqliteMailedLinkSteps(db))),
    async close() {},
  };
}
