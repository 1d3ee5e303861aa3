import type { Auth } from '@tessera/auth';
import type { FastifyBaseLogger } from 'fastify';

/** Long-ended sessions, spent throttle counters and old mail are pruned this often, and once at start. */
const PRUNE_INTERVAL_MS = 3_600_000;
/**
 * Sealed refresh successors are cleared this often once their grace window has passed, so a
 * copy of the database holds at most a few seconds' worth beyond the window.
 */
const GRACE_SWEEP_INTERVAL_MS = 5_000;

/**
 * Runs the core's batched prune at start and then hourly, one run at a time, and clears expired
 * refresh successors every few seconds. Returns a function that stops the schedule and waits for
 * a run in progress.
 *
 * @example
 * const stop = scheduleHousekeeping(auth, app.log);
 * await stop();
 */
export function scheduleHousekeeping(auth: Auth, log: FastifyBaseLogger): () => Promise<void> {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = auth
      .pruneExpired()
      .then(
        (pruned) => {
          if (pruned.sessions + pruned.rateLimits + pruned.mail + pruned.challenges > 0)
            log.info({ event: 'housekeeping', pruned }, 'pruned old rows');
        },
        (error: unknown) => log.error({ err: error }, 'housekeeping failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  // In the background (a worker on a SQLite file): a locked database must not stall requests.
  // One sweep at a time: while the database is locked they would otherwise pile up.
  let sweeping: Promise<void> | null = null;
  const sweepGraceSuccessors = () => {
    sweeping ??= auth
      .expireGraceSuccessors()
      .then(
        () => undefined,
        (error: unknown) =>
          log.warn({ err: error }, 'clearing expired refresh successors failed; trying again shortly'),
      )
      .finally(() => {
        sweeping = null;
      });
  };
  const first = setTimeout(run, 0);
  const timer = setInterval(run, PRUNE_INTERVAL_MS);
  const graceSweep = setInterval(sweepGraceSuccessors, GRACE_SWEEP_INTERVAL_MS);
  for (const handle of [first, timer, graceSweep]) handle.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(graceSweep);
    await Promise.all([running, sweeping]);
  };
}
