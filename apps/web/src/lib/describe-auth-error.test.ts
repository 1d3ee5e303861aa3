import { describe, expect, it } from 'vitest';
import { tryAgainIn } from './describe-auth-error';

describe('tryAgainIn', () => {
  /** @see issue 10, point 11: a rate-limited sign-in said only "later". */
  it.each([
    [null, 'Try again later.'],
    [1, 'Try again in 1 second.'],
    [45, 'Try again in 45 seconds.'],
    [60, 'Try again in 1 minute.'],
    [899, 'Try again in 15 minutes.'],
  ])('says %j seconds as %j', (seconds, words) => {
    expect(tryAgainIn(seconds)).toBe(words);
  });
});
