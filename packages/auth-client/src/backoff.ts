/** Tuning for {@link retryWithBackoff}. */
export interface BackoffOptions {
  /** Total tries, the first included. The hard cap: nothing retries forever. */
  attempts: number;
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  /** Whether a failure is worth another try; the rest are rethrown at once. */
  shouldRetry: (error: unknown) => boolean;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `retry` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so that many tabs or clients coming back from the same outage
 * do not hit the server in lockstep, yet none retries immediately.
 *
 * @example
 * backoffDelay(0, { baseDelayMs: 500, maxDelayMs: 4000 }, () => 0.5); // 375
 */
export function backoffDelay(
  retry: number,
  options: Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Calls `task` until it succeeds, a failure is not retryable, or `attempts` run out;
 * then rethrows the last error.
 *
 * @example
 * const session = await retryWithBackoff(() => api.auth.refresh.mutate(), {
 *   attempts: 3, baseDelayMs: 500, maxDelayMs: 4000, shouldRetry: isTransientError,
 * });
 */
export async function retryWithBackoff<T>(task: () => Promise<T>, options: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= options.attempts || !options.shouldRetry(error)) throw error;
      const delay = backoffDelay(attempt - 1, options, options.random);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
