import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_MS, MAX_RETRY_DELAY_MS, retryDelayMs } from './sender';

describe('retryDelayMs', () => {
  it('starts at one second, doubles, and caps at five minutes', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(9)).toBe(256_000);
    expect(retryDelayMs(10)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('keeps retrying for a day: enough attempts fit before giving up', () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < GIVE_UP_AFTER_MS) elapsed += retryDelayMs(++attempts);
    expect(attempts).toBeGreaterThan(280);
  });
});
