import type { LockManagerLike } from '../local-lock-manager';

/**
 * Stands in for the browser's per-origin `navigator.locks` in tests: Node 20 has none. Written
 * from the Web Locks contract (exclusive per name, granted in request order, held until the
 * callback's promise settles, `request()` settles with the callback's result), independently of
 * our own fallback, and it records what the tests assert on.
 *
 * @example
 * const locks = testLockManager();
 * const tabs = [createTabCoordinator({ locks }), createTabCoordinator({ locks })];
 */
export function testLockManager() {
  const held = new Set<string>();
  const queues = new Map<string, Array<() => void>>();
  const log: Array<{ name: string; event: 'requested' | 'granted' | 'released' }> = [];
  let maxConcurrent = 0;

  const acquire = (name: string) =>
    new Promise<void>((grant) => {
      if (!held.has(name)) {
        held.add(name);
        grant();
        return;
      }
      const queue = queues.get(name) ?? [];
      queue.push(grant);
      queues.set(name, queue);
    });

  const release = (name: string) => {
    const next = queues.get(name)?.shift();
    // Hand over directly, so no newcomer can slip in between.
    if (next) next();
    else held.delete(name);
  };

  let holders = 0;
  const manager: LockManagerLike = {
    async request(name, callback) {
      log.push({ name, event: 'requested' });
      await acquire(name);
      log.push({ name, event: 'granted' });
      holders++;
      maxConcurrent = Math.max(maxConcurrent, holders);
      try {
        return await callback({ name, mode: 'exclusive' });
      } finally {
        holders--;
        log.push({ name, event: 'released' });
        release(name);
      }
    },
  };

  return {
    ...manager,
    log,
    /** The most holders at once, over all names; 1 means no two tasks ever overlapped. */
    maxConcurrent: () => maxConcurrent,
    /** Whether `name` is held right now. */
    isHeld: (name: string) => held.has(name),
  };
}
