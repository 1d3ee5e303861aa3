import { createDb, type DbHandle, rateLimits } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../engines/sqlite/store';
import { RateLimitedError } from '../errors';
import { createThrottle, type Throttle } from './throttle';

let handle: DbHandle;
let throttle: Throttle;
beforeEach(() => {
  handle = createDb(':memory:');
  throttle = createThrottle(createSqliteStore(handle.db), {
    accountFailures: { points: 3, durationSeconds: 60 },
    addressAttempts: { points: 5, durationSeconds: 60 },
    passwordChanges: { points: 2, durationSeconds: 60 },
    addressRefreshes: { points: 4, durationSeconds: 60 },
    addressResetRequests: { points: 4, durationSeconds: 60 },
    resetMails: { points: 2, durationSeconds: 60 },
    verificationMails: { points: 2, durationSeconds: 60 },
    passkeyNotices: { points: 2, durationSeconds: 60 },
    addressPasskeyChallenges: { points: 3, durationSeconds: 60 },
    secondFactorAttempts: { points: 2, durationSeconds: 60 },
  });
});
afterEach(() => handle.close());

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('throttle', () => {
  it('counts attempts per address and refuses past the limit, with the wait in whole seconds', async () => {
    for (let i = 0; i < 5; i++) await throttle.countAttempt('203.0.113.1');
    const refused = await rejection(throttle.countAttempt('203.0.113.1'));
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await throttle.countAttempt('203.0.113.2');
  });

  it('counts account attempts before any password check, locks past the limit, and unlocks when cleared', async () => {
    for (let i = 0; i < 3; i++) await throttle.countAccountAttempt('a@example.com');
    expect(await rejection(throttle.countAccountAttempt('a@example.com'))).toBeInstanceOf(RateLimitedError);
    await throttle.clearFailures('a@example.com');
    expect(await rejection(throttle.countAccountAttempt('a@example.com'))).toBe('resolved');
  });

  it('lets no more than the limit through when attempts arrive all at once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => rejection(throttle.countAccountAttempt('raced@example.com'))),
    );
    expect(outcomes.filter((outcome) => outcome === 'resolved')).toHaveLength(3);
  });

  it('counts password changes per user and refreshes per address, IPv6 per /64', async () => {
    await throttle.countPasswordChange('u1');
    await throttle.countPasswordChange('u1');
    expect(await rejection(throttle.countPasswordChange('u1'))).toBeInstanceOf(RateLimitedError);
    await throttle.countPasswordChange('u2');

    for (let i = 0; i < 4; i++) await throttle.countRefresh(`2001:db8:1:2::${i + 1}`);
    expect(await rejection(throttle.countRefresh('2001:db8:1:2:ffff::9'))).toBeInstanceOf(RateLimitedError);
    expect(await rejection(throttle.countRefresh('2001:db8:1:3::1'))).toBe('resolved');
  });

  it('counts passkey challenges per address, apart from sign-in attempts', async () => {
    for (let i = 0; i < 3; i++) await throttle.countPasskeyChallenge('198.51.100.7');
    expect(await rejection(throttle.countPasskeyChallenge('198.51.100.7'))).toBeInstanceOf(RateLimitedError);
    expect(await rejection(throttle.countAttempt('198.51.100.7'))).toBe('resolved');
    expect(await rejection(throttle.countPasskeyChallenge('198.51.100.8'))).toBe('resolved');
  });

  /** @see issue 20, finding 9: add/remove cycles sent 100 passkey notices to one address in 14 s. */
  it('lets a user have the limit of passkey notices, then says no without throwing', async () => {
    expect([
      await throttle.countPasskeyNotice('u1'),
      await throttle.countPasskeyNotice('u1'),
      await throttle.countPasskeyNotice('u1'),
    ]).toEqual([true, true, false]);
    expect(await throttle.countPasskeyNotice('u2')).toBe(true);
  });

  it('counts second-step answers per user, apart from the password’s count, until a right one wipes them', async () => {
    await throttle.countSecondFactorAttempt('u1');
    await throttle.countSecondFactorAttempt('u1');
    expect(await rejection(throttle.countSecondFactorAttempt('u1'))).toBeInstanceOf(RateLimitedError);
    // Proving the password again buys no more guesses at the code.
    await throttle.clearFailures('u1');
    expect(await rejection(throttle.countSecondFactorAttempt('u1'))).toBeInstanceOf(RateLimitedError);
    expect(await rejection(throttle.countSecondFactorAttempt('u2'))).toBe('resolved');
    await throttle.clearSecondFactorAttempts('u1');
    expect(await rejection(throttle.countSecondFactorAttempt('u1'))).toBe('resolved');
  });

  it('stores hashed keys only; housekeeping prunes counters whose window has passed', async () => {
    await throttle.countAttempt('203.0.113.9');
    await throttle.countAccountAttempt('secret@example.com');
    const rows = handle.db.select().from(rateLimits).all();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toMatch(/203\.0\.113\.9|secret@example\.com/);
    expect(await createSqliteStore(handle.db).pruneExpired(Date.now() + 59_000)).toMatchObject({ rateLimits: 0 });
    expect(await createSqliteStore(handle.db).pruneExpired(Date.now() + 61_000)).toMatchObject({ rateLimits: 2 });
    expect(handle.db.select().from(rateLimits).all()).toEqual([]);
  });
});
