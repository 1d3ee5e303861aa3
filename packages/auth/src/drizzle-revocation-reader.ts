import { sessions, type TesseraDb } from '@tessera/db';
import { asc, gt } from 'drizzle-orm';
import type { RevocationReader } from './revocation-feed';

/**
 * Reads revocations on the caller's own connection, in this thread. Right for an in-memory
 * database (tests) and a single process; a server on a file uses `createWorkerRevocationReader`,
 * so that a locked database cannot stall its event loop.
 *
 * @example
 * const feed = createPollingRevocationFeed({ reader: createDrizzleRevocationReader(db), pollMs: 250 });
 */
export function createDrizzleRevocationReader(db: TesseraDb): RevocationReader {
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
    async close() {},
  };
}
