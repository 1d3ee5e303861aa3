/** Refresh when this share of the token's lifetime has passed, leaving room for a slow network. */
export const REFRESH_AT_FRACTION = 0.8;

/** Floor for the proactive delay, so a tiny or bogus lifetime cannot become a refresh loop. */
export const MIN_REFRESH_DELAY_MS = 1_000;

/** Browsers run a longer `setTimeout` delay (over 2^31 − 1 ms) immediately, so cap below it. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Milliseconds from receipt until the proactive refresh: 80 % of the lifetime, within bounds.
 *
 * @example
 * proactiveRefreshDelay(300_000); // 240_000 for a 5-minute token
 */
export function proactiveRefreshDelay(lifetimeMs: number): number {
  return Math.min(MAX_TIMEOUT_MS, Math.max(MIN_REFRESH_DELAY_MS, lifetimeMs * REFRESH_AT_FRACTION));
}

/** A single pending timeout; scheduling again replaces it. */
export interface RefreshTimer {
  /** Calls the callback once after `delayMs`, cancelling any earlier schedule. */
  schedule(delayMs: number): void;
  /** Cancels the pending call, if any. */
  clear(): void;
}

/**
 * Creates the timer behind proactive refresh. Only one is ever pending, so a sign-in that
 * replaces a session cannot leave an old timer behind to refresh twice.
 *
 * @example
 * const timer = createRefreshTimer(() => void client.refresh());
 * timer.schedule(proactiveRefreshDelay(lifetimeMs));
 * timer.clear(); // on sign-out
 */
export function createRefreshTimer(onDue: () => void): RefreshTimer {
  let handle: ReturnType<typeof setTimeout> | undefined;

  const clear = () => {
    if (handle !== undefined) clearTimeout(handle);
    handle = undefined;
  };

  return {
    schedule(delayMs) {
      clear();
      handle = setTimeout(() => {
        handle = undefined;
        onDue();
      }, delayMs);
    },
    clear,
  };
}
