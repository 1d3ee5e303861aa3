import type { Auth } from '@tessera/auth';
import type { FastifyBaseLogger } from 'fastify';

/** How often the feed's lag is looked at: well inside the five seconds after which it is stale. */
const CHECK_INTERVAL_MS = 1_000;

/**
 * Logs, once per episode, when this process's list of ended sessions falls behind the database
 * (`/healthz` answers 503 meanwhile) and when it has caught up again. Returns the stop function.
 *
 * @example
 * const stop = watchRevocationFeed(auth, app.log);
 */
export function watchRevocationFeed(auth: Auth, log: FastifyBaseLogger): () => void {
  let stale = false;
  const timer = setInterval(() => {
    const health = auth.revocationHealth();
    if (health.stale === stale) return;
    stale = health.stale;
    if (stale) {
      log.warn(
        { event: 'revocation_feed_stale', lagMs: health.lagMs, error: health.lastError },
        'revocation feed has not caught up with the database: /healthz answers 503 until it does',
      );
    } else {
      log.info({ event: 'revocation_feed_recovered' }, 'revocation feed caught up again');
    }
  }, CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
