import { describe, expect, it } from 'vitest';
import { createLocalLockManager } from './local-lock-manager';

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('createLocalLockManager', () => {
  it('grants one holder at a time, in request order, and settles with the callback result', async () => {
    const locks = createLocalLockManager();
    const events: string[] = [];
    const gate = deferred();

    const first = locks.request('refresh', async () => {
      events.push('first in');
      await gate.promise;
      events.push('first out');
    });
    const second = locks.request('refresh', async () => {
      events.push('second in');
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(events).toEqual(['first in']);

    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
  });

  it('releases the lock when the holder fails, and passes the failure to its caller', async () => {
    const locks = createLocalLockManager();
    const failed = locks.request('refresh', async () => {
      throw new Error('offline');
    });
    const next = locks.request('refresh', async () => undefined);

    await expect(failed).rejects.toThrow('offline');
    await expect(next).resolves.toBeUndefined();
  });

  it('keeps different names independent', async () => {
    const locks = createLocalLockManager();
    const gate = deferred();
    const held = locks.request('a', () => gate.promise);
    let otherRan = false;

    await locks.request('b', async () => {
      otherRan = true;
    });
    expect(otherRan).toBe(true);
    gate.resolve();
    await held;
  });
});
