import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../errors';
import { testAuthForEachTest, testContext } from '../testing/test-context';
import { createCallerFactory } from '../trpc';
import { createAuthRouter } from './auth';

const createCaller = createCallerFactory(createAuthRouter());

// One hash at a time and no queue: the second concurrent sign-in finds the lane full.
const testAuth = testAuthForEachTest({
  passwordLanes: {
    signIn: { concurrency: 1, maxQueued: 0, perGroup: 4 },
    passwordChange: { concurrency: 1, maxQueued: 0, perGroup: 4 },
  },
});

const caller = () => createCaller(testContext(testAuth().auth, testAuth().stores));

describe('auth router under hashing pressure', () => {
  /** @see issue 8, finding 6: password hashing had no bound, so a flood starved sign-ins. */
  it('answers SERVICE_UNAVAILABLE with a Retry-After past the hashing queue, and hashes nothing for it', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        caller()
          .login({ email: `busy${i}@example.com`, password: 'a strong password' })
          .then(
            () => null,
            (error: unknown) => error,
          ),
      ),
    );
    const busy = outcomes.filter(
      (error): error is TRPCError => error instanceof TRPCError && error.code === 'SERVICE_UNAVAILABLE',
    );
    expect(busy).toHaveLength(2);
    expect(busy[0]?.message).toBe('The service is busy. Please try again in a moment.');
    expect(retryAfterSeconds(busy)).toBe(1);
    const refused = outcomes.filter((error) => error instanceof TRPCError && error.code === 'UNAUTHORIZED');
    expect(refused).toHaveLength(1);
  });
});
