import { createHash } from 'node:crypto';
import { rateLimits, type TesseraDb } from '@tessera/db';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from './errors';

/** Counts over a window: at most `points` in `durationSeconds`. */
export interface Limit {
  points: number;
  durationSeconds: number;
}

export interface ThrottleLimits {
  /** Failed sign-ins for one account (OWASP Authentication cheat sheet: slow down guessing). */
  accountFailures: Limit;
  /** Sign-in and register attempts from one client address, failed or not. */
  addressAttempts: Limit;
}

export const defaultThrottleLimits: ThrottleLimits = {
  accountFailures: { points: 10, durationSeconds: 900 },
  addressAttempts: { points: 100, durationSeconds: 900 },
};

export type Throttle = ReturnType<typeof createThrottle>;

/**
 * Brute-force brakes for the sign-in and register procedures, counted in the database so that a
 * restart does not reset them and every server process shares them. Keys are SHA-256 hashed:
 * the table holds no email or address.
 *
 * @example
 * const throttle = createThrottle(db);
 * await throttle.countAttempt(ip); // throws RateLimitedError past 100 in 15 minutes
 */
export function createThrottle(db: TesseraDb, limits: ThrottleLimits = defaultThrottleLimits) {
  const limiter = (keyPrefix: string, limit: Limit) =>
    new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimits,
      keyPrefix,
      points: limit.points,
      duration: limit.durationSeconds,
      // Housekeeping prunes expired rows (pruneExpired), in batches on the server's schedule.
      clearExpiredByTimeout: false,
    });
  const accountFailures = limiter('account-failures', limits.accountFailures);
  const addressAttempts = limiter('address-attempts', limits.addressAttempts);

  return {
    /** Counts one sign-in or register attempt from `address`; throws once over the limit. */
    async countAttempt(address: string): Promise<void> {
      await consumeOrThrow(addressAttempts, hashKey(address));
    },

    /** Throws while the account has used up its failed sign-ins. Unknown emails are counted alike. */
    async assertAccountNotLocked(email: string): Promise<void> {
      const used = await accountFailures.get(hashKey(email));
      if (used !== null && used.consumedPoints >= limits.accountFailures.points) {
        throw new RateLimitedError(used.msBeforeNext);
      }
    },

    async recordFailure(email: string): Promise<void> {
      // Past the limit is expected here (the attempt that crossed it); the next one is refused.
      await accountFailures.penalty(hashKey(email));
    },

    /** A successful sign-in wipes the account's failures. */
    async clearFailures(email: string): Promise<void> {
      await accountFailures.delete(hashKey(email));
    },
  };
}

async function consumeOrThrow(limiter: RateLimiterDrizzle, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error when the store fails.
    if (rejection instanceof RateLimiterRes) throw new RateLimitedError(rejection.msBeforeNext);
    throw rejection;
  }
}

function hashKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
