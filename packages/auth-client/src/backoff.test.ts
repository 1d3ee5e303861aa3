import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, retryWithBackoff } from './backoff';

const options = { baseDelayMs: 500, maxDelayMs: 4_000 };

describe('backoffDelay', () => {
  it('doubles per retry, stays within [ceiling/2, ceiling] and respects the cap', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(0, options, () => 0.999_999)).toBeCloseTo(500);
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(10, options, () => 0.999_999)).toBeCloseTo(4_000);
  });
});

describe('retryWithBackoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries retryable failures and stops at the hard cap', async () => {
    const task = vi.fn(() => Promise.reject(new Error('offline')));
    const result = retryWithBackoff(task, { ...options, attempts: 3, shouldRetry: () => true, random: () => 0 });
    const settled = expect(result).rejects.toThrow('offline');

    await vi.advanceTimersByTimeAsync(249);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(task).toHaveBeenCalledTimes(3);

    await settled;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('rethrows a non-retryable failure at once', async () => {
    const task = vi.fn(() => Promise.reject(new Error('denied')));
    await expect(retryWithBackoff(task, { ...options, attempts: 3, shouldRetry: () => false })).rejects.toThrow(
      'denied',
    );
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('returns the first success', async () => {
    const task = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('blip')).mockResolvedValueOnce('ok');
    const result = retryWithBackoff(task, { ...options, attempts: 3, shouldRetry: () => true });
    await vi.advanceTimersByTimeAsync(500);
    await expect(result).resolves.toBe('ok');
  });
});
