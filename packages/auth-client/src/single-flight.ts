/**
 * Runs an async task at most once at a time; callers that arrive while it runs share its promise.
 */
export interface SingleFlight<T> {
  /** Starts the task, or joins the run already in flight. */
  run(): Promise<T>;
  /** The promise of the run in flight, or `null` when idle. */
  inFlight(): Promise<T> | null;
}

/**
 * Wraps `task` so that concurrent callers share one run. This is what keeps ten parallel
 * UNAUTHORIZED answers from spending ten refresh tokens: the server rotates the token on each
 * use, so a second concurrent refresh would present an already-used token and look like theft.
 *
 * @example
 * const refresh = createSingleFlight(() => api.auth.refresh.mutate());
 * const [a, b] = await Promise.all([refresh.run(), refresh.run()]); // one request, a === b
 */
export function createSingleFlight<T>(task: () => Promise<T>): SingleFlight<T> {
  let current: Promise<T> | null = null;

  return {
    run() {
      if (current) return current;
      // `new Promise` turns a synchronous throw into a rejection every caller can see.
      const run = new Promise<T>((resolve) => resolve(task())).finally(() => {
        // Only clear our own run: a late `finally` must not erase a newer one.
        if (current === run) current = null;
      });
      current = run;
      return run;
    },
    inFlight: () => current,
  };
}
