import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRefreshTimer, MIN_REFRESH_DELAY_MS, proactiveRefreshDelay } from './refresh-timer';

describe('proactiveRefreshDelay', () => {
  it('is 80 % of the lifetime', () => {
    expect(proactiveRefreshDelay(300_000)).toBe(240_000);
  });

  it('never drops below the floor, so a bogus lifetime cannot spin', () => {
    expect(proactiveRefreshDelay(0)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('stays within what setTimeout can represent', () => {
    expect(proactiveRefreshDelay(Number.MAX_SAFE_INTEGER)).toBe(2_147_483_647);
  });
});

describe('createRefreshTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once, after the delay', () => {
    const onDue = vi.fn();
    createRefreshTimer(onDue).schedule(1_000);

    vi.advanceTimersByTime(999);
    expect(onDue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDue).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('replaces an earlier schedule instead of adding a second timer', () => {
    const onDue = vi.fn();
    const timer = createRefreshTimer(onDue);
    timer.schedule(1_000);
    timer.schedule(5_000);

    vi.advanceTimersByTime(4_999);
    expect(onDue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onDue).toHaveBeenCalledTimes(1);
  });

  it('does nothing after clear()', () => {
    const onDue = vi.fn();
    const timer = createRefreshTimer(onDue);
    timer.schedule(1_000);
    timer.clear();

    vi.advanceTimersByTime(60_000);
    expect(onDue).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
