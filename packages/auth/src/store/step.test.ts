import { describe, expect, it } from 'vitest';
import { awaited, immediate, runAwaited, runNow, type Step } from './step';

/** A rule over two steps, as a domain writes one. */
function* addBoth(first: () => Step<number>, second: () => Step<number>): Step<number> {
  const a = yield* first();
  const b = yield* second();
  return a + b;
}

describe('rules written once over engine steps', () => {
  it('runs a rule over synchronous steps to completion at once', () => {
    const calls: string[] = [];
    const three = () => immediate(() => calls.push('ran') && 3);
    expect(runNow(addBoth(three, three))).toBe(6);
    expect(calls).toEqual(['ran', 'ran']);
  });

  it('refuses a synchronous run whose step waits', () => {
    expect(() => runNow(awaited(Promise.resolve(1)))).toThrow(/waited on a promise/);
  });

  it('awaits each step in order and resumes the rule with its result', async () => {
    const order: string[] = [];
    const slow = () => awaited(new Promise<number>((resolve) => setTimeout(() => resolve(order.push('slow')), 5)));
    const fast = () => awaited(Promise.resolve(order.push('fast')));
    await expect(runAwaited(addBoth(slow, fast))).resolves.toBe(3);
    expect(order).toEqual(['slow', 'fast']);
  });

  it('throws a failed query into the rule at the step that waited, where the rule may handle it', async () => {
    function* recovering(): Step<string> {
      try {
        yield* awaited(Promise.reject(new Error('unique violation')));
        return 'inserted';
      } catch (error) {
        return error instanceof Error ? `refused: ${error.message}` : 'refused';
      }
    }
    await expect(runAwaited(recovering())).resolves.toBe('refused: unique violation');
    await expect(runAwaited(awaited(Promise.reject(new Error('lost'))))).rejects.toThrow('lost');
  });
});
