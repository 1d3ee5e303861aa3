import { createHash } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors';
import type { AuthStore } from '../store/store';
import { addressGroup } from './address-group';

/** Counts over a window: at most `points` in `durationSeconds`. */
export interface Limit {
  points: number;
  durationSeconds: number;
}

export interface ThrottleLimits {
  /**
   * Sign-in attempts on one account that have not (yet) succeeded (OWASP Authentication cheat
   * sheet: slow down guessing). Each attempt is counted before its password is checked, so
   * concurrent guesses cannot all pass a check made before any was counted.
   */
  accountFailures: Limit;
  /** Sign-in, register and password-change attempts from one client address, failed or not. */
  addressAttempts: Limit;
  /** Password changes of one user, failed or not: each costs two argon2id hashes. */
  passwordChanges: Limit;
  /** Refreshes from one client address: generous, a flood's brake, never a real user's. */
  addressRefreshes: Limit;
  /** Password-reset requests from one client address. */
  addressResetRequests: Limit;
  /** Password-reset mails to one email (counted whether or not it has an account). */
  resetMails: Limit;
  /** Verification mails one user may ask for. */
  verificationMails: Limit;
  /**
   * "A passkey was added" notices to one user. Past the limit additions are still recorded in
   * the activity, but not mailed: add/remove cycles would otherwise flood the address.
   */
  passkeyNotices: Limit;
  /**
   * Passkey challenges handed out to one client address. The sign-in page asks for one on every
   * visit (the browser's passkey suggestions need it), so the limit is generous: a brake on
   * filling the challenge table, not on people.
   */
  addressPasskeyChallenges: Limit;
  /**
   * Second-step answers (TOTP or recovery codes) for one account, wherever they come from, counted
   * before each is checked and wiped by a right one. Apart from the password's count: proving the
   * password again must not buy more guesses at the code.
   */
  secondFactorAttempts: Limit;
}

export const defaultThrottleLimits: ThrottleLimits = {
  accountFailures: { points: 10, durationSeconds: 900 },
  addressAttempts: { points: 100, durationSeconds: 900 },
  passwordChanges: { points: 10, durationSeconds: 900 },
  addressRefreshes: { points: 1200, durationSeconds: 60 },
  addressResetRequests: { points: 20, durationSeconds: 900 },
  resetMails: { points: 5, durationSeconds: 3600 },
  verificationMails: { points: 5, durationSeconds: 3600 },
  passkeyNotices: { points: 5, durationSeconds: 3600 },
  addressPasskeyChallenges: { points: 300, durationSeconds: 900 },
  secondFactorAttempts: { points: 10, durationSeconds: 900 },
};

export type Throttle = ReturnType<typeof createThrottle>;

/**
 * Brute-force brakes, counted in the store so that a restart does not reset them and every
 * server process shares them. Keys are SHA-256 hashed: the table holds no email or address.
 * Every count is one atomic upsert (rate-limiter-flexible, on the store's engine).
 *
 * @example
 * const throttle = createThrottle(store);
 * await throttle.countAttempt(ip); // throws RateLimitedError past 100 in 15 minutes
 */
export function createThrottle(store: Pick<AuthStore, 'rateLimiter'>, limits: ThrottleLimits = defaultThrottleLimits) {
  const limiter = (keyPrefix: string, limit: Limit) =>
    store.rateLimiter({ keyPrefix, points: limit.points, duration: limit.durationSeconds });
  const accountFailures = limiter('account-failures', limits.accountFailures);
  const addressAttempts = limiter('address-attempts', limits.addressAttempts);
  const passwordChanges = limiter('password-changes', limits.passwordChanges);
  const addressRefreshes = limiter('address-refreshes', limits.addressRefreshes);
  const addressResetRequests = limiter('address-reset-requests', limits.addressResetRequests);
  const resetMails = limiter('reset-mails', limits.resetMails);
  const verificationMails = limiter('verification-mails', limits.verificationMails);
  const passkeyNotices = limiter('passkey-notices', limits.passkeyNotices);
  const addressPasskeyChallenges = limiter('address-passkey-challenges', limits.addressPasskeyChallenges);
  const secondFactorAttempts = limiter('second-factor-attempts', limits.secondFactorAttempts);

  return {
    /** Counts one sign-in, register or password-change attempt from `address`; throws once over the limit. */
    async countAttempt(address: string): Promise<void> {
      await consumeOrThrow(addressAttempts, hashKey(addressGroup(address)));
    },

    /**
     * Counts a sign-in attempt on an account before its password is checked; throws once the
     * account has had its fill. Unknown emails are counted alike.
     */
    async countAccountAttempt(email: string): Promise<void> {
      await consumeOrThrow(accountFailures, hashKey(email));
    },

    /** A successful sign-in wipes the account's count, this attempt's included. */
    async clearFailures(email: string): Promise<void> {
      await accountFailures.delete(hashKey(email));
    },

    /** Counts one password change of a user, failed or not. */
    async countPasswordChange(userId: string): Promise<void> {
      await consumeOrThrow(passwordChanges, hashKey(userId));
    },

    /** Counts one refresh from `address`. */
    async countRefresh(address: string): Promise<void> {
      await consumeOrThrow(addressRefreshes, hashKey(addressGroup(address)));
    },

    /**
     * Counts a password-reset request from `address` for `email`. Both counts are taken before
     * anyone looks the email up, so the answer is the same for an address with an account and
     * one without.
     */
    async countResetRequest(address: string, email: string): Promise<void> {
      await consumeOrThrow(addressResetRequests, hashKey(addressGroup(address)));
      await consumeOrThrow(resetMails, hashKey(email));
    },

    /** Counts one verification mail a user asked for. */
    async countVerificationMail(userId: string): Promise<void> {
      await consumeOrThrow(verificationMails, hashKey(userId));
    },

    /** Counts a passkey notice to a user; false once the user has had their fill (that one is not sent). */
    async countPasskeyNotice(userId: string): Promise<boolean> {
      return consumed(passkeyNotices, hashKey(userId));
    },

    /** Counts one second-step answer for a user before it is checked; throws once the account has had its fill. */
    async countSecondFactorAttempt(userId: string): Promise<void> {
      await consumeOrThrow(secondFactorAttempts, hashKey(userId));
    },

    /** A right second-step answer wipes the user's count. */
    async clearSecondFactorAttempts(userId: string): Promise<void> {
      await secondFactorAttempts.delete(hashKey(userId));
    },

    /** Counts one passkey challenge handed out to `address`. */
    async countPasskeyChallenge(address: string): Promise<void> {
      await consumeOrThrow(addressPasskeyChallenges, hashKey(addressGroup(address)));
    },
  };
}

/** Throttling switched off (`RATE_LIMIT=off`, for load tests): every count passes. */
export const noThrottle: Throttle = {
  countAttempt: async () => undefined,
  countAccountAttempt: async () => undefined,
  clearFailures: async () => undefined,
  countPasswordChange: async () => undefined,
  countRefresh: async () => undefined,
  countResetRequest: async () => undefined,
  countVerificationMail: async () => undefined,
  countPasskeyNotice: async () => true,
  countPasskeyChallenge: async () => undefined,
  countSecondFactorAttempt: async () => undefined,
  clearSecondFactorAttempts: async () => undefined,
};

async function consumeOrThrow(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error when the store fails.
    if (rejection instanceof RateLimiterRes) throw new RateLimitedError(rejection.msBeforeNext);
    throw rejection;
  }
}

/** Whether a point was left to consume (a store failure still throws). */
async function consumed(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await consumeOrThrow(limiter, key);
    return true;
  } catch (error) {
    if (error instanceof RateLimitedError) return false;
    throw error;
  }
}

function hashKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
