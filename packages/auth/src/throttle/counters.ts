import { RateLimiterDrizzle } from 'rate-limiter-flexible';
import type { AuthStore } from '../store/store';

/**
 * The store's `rateLimiter` on either engine: rate-limiter-flexible's counters in the
 * `rate_limits` table, through the engine's Drizzle handle (`storeClient`) and its table.
 *
 * @example
 * const store = { ..., rateLimiter: drizzleCounters(db, rateLimits) };
 */
export const drizzleCounters =
  (storeClient: object, table: object): AuthStore['rateLimiter'] =>
  ({ keyPrefix, points, duration }) =>
    new RateLimiterDrizzle({
      storeClient,
      schema: table,
      keyPrefix,
      points,
      duration,
      // Housekeeping prunes expired rows (pruneExpired), in batches on the server's schedule.
      clearExpiredByTimeout: false,
    });
