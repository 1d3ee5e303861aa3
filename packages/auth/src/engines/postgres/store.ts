import { setImmediate as nextTurn } from 'node:timers/promises';
import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { inArray, lt, or } from 'drizzle-orm';
import { RateLimiterDrizzle } from 'rate-limiter-flexible';
import { accountOperations } from '../../accounts/operations';
import { mailedLinkOperations } from '../../mailed-links/operations';
import { passkeyOperations } from '../../passkeys/operations';
import { ENDED_SESSION_RETENTION_MS, PRUNE_BATCH_SIZE } from '../../revocation/housekeeping';
import { sessionOperations } from '../../sessions/operations';
import type { AuthStore } from '../../store/store';
import { pgAccountSteps } from './accounts';
import { pgEngine } from './engine';
import { pgMailedLinkSteps } from './mailed-links';
import { pgPasskeySteps } from './passkeys';
import { pgSessionSteps } from './sessions';
import { pgSigningKeys } from './signing-keys';

const { sessions, rateLimits, emailTokens, mailOutbox, webauthnChallenges } = pgSchema;

/**
 * The auth store on PostgreSQL (node-postgres through Drizzle, a pool): the same operations and
 * rules as the SQLite store, for several server instances sharing one database.
 *
 * @example
 * const { db } = await createPgDb(process.env.DATABASE_URL);
 * const auth = await createAuth({ store: createPgStore(db), background: createPgBackground(db), config, box });
 */
export function createPgStore(db: TesseraPgDb): AuthStore {
  return {
    ...accountOperations(pgEngine(db, pgAccountSteps)),

    ...sessionOperations(pgEngine(db, pgSessionSteps)),

    ...mailedLinkOperations(pgEngine(db, pgMailedLinkSteps)),
    ...passkeyOperations(pgEngine(db, pgPasskeySteps)),

    async pruneExpired(now) {
      const before = now - ENDED_SESSION_RETENTION_MS;
      const endedLongAgo = or(lt(sessions.revokedAt, before), lt(sessions.idleExpiresAt, before));
      const prunedSessions = await inBatches(async () => {
        const batch = db.select({ id: sessions.id }).from(sessions).where(endedLongAgo).limit(PRUNE_BATCH_SIZE);
        return (await db.delete(sessions).where(inArray(sessions.id, batch))).rowCount ?? 0;
      });
      const prunedRateLimits = await inBatches(async () => {
        const batch = db
          .select({ key: rateLimits.key })
          .from(rateLimits)
          .where(lt(rateLimits.expire, new Date(now)))
          .limit(PRUNE_BATCH_SIZE);
        return (await db.delete(rateLimits).where(inArray(rateLimits.key, batch))).rowCount ?? 0;
      });
      const prunedTokens = await inBatches(async () => {
        const batch = db
          .select({ id: emailTokens.id })
          .from(emailTokens)
          .where(lt(emailTokens.expiresAt, before))
          .limit(PRUNE_BATCH_SIZE);
        return (await db.delete(emailTokens).where(inArray(emailTokens.id, batch))).rowCount ?? 0;
      });
      const prunedMail = await inBatches(async () => {
        const doneLongAgo = or(lt(mailOutbox.sentAt, before), lt(mailOutbox.failedAt, before));
        const batch = db.select({ id: mailOutbox.id }).from(mailOutbox).where(doneLongAgo).limit(PRUNE_BATCH_SIZE);
        return (await db.delete(mailOutbox).where(inArray(mailOutbox.id, batch))).rowCount ?? 0;
      });
      const prunedChallenges = await inBatches(async () => {
        const batch = db
          .select({ hash: webauthnChallenges.challengeHash })
          .from(webauthnChallenges)
          .where(lt(webauthnChallenges.expiresAt, now))
          .limit(PRUNE_BATCH_SIZE);
        return (
          (await db.delete(webauthnChallenges).where(inArray(webauthnChallenges.challengeHash, batch))).rowCount ?? 0
        );
      });
      return {
        sessions: prunedSessions,
        rateLimits: prunedRateLimits,
        mail: prunedTokens + prunedMail,
        challenges: prunedChallenges,
      };
    },

    signingKeys: pgSigningKeys(db),

    rateLimiter: ({ keyPrefix, points, duration }) =>
      new RateLimiterDrizzle({
        storeClient: db,
        schema: rateLimits,
        keyPrefix,
        points,
        duration,
        // Housekeeping prunes expired rows (pruneExpired), in batches on the server's schedule.
        clearExpiredByTimeout: false,
      }),
  };
}

/** Runs `deleteBatch` until a batch comes back short, yielding between batches. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const changes = await deleteBatch();
    total += changes;
    if (changes < PRUNE_BATCH_SIZE) return total;
    await nextTurn();
  }
}
