import { describe, expect, it } from 'vitest';
import { BusyError } from './errors';
import { createWorkLane } from './work-lane';

/** A task the test finishes by hand. */
function gate() {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { task: () => done, open };
}

describe('createWorkLane', () => {
  it('runs at most `concurrency` tasks at once, queues up to `maxQueued`, and refuses the rest at once', async () => {
    const lane = createWorkLane({ concurrency: 2, maxQueued: 1 });
    let started = 0;
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g) =>
      lane.run(async () => {
        started++;
        await g.task();
        return 'done';
      }),
    );
    await Promise.resolve();
    expect(started).toBe(2);
    await expect(runs[3]).rejects.toBeInstanceOf(BusyError);

    gates[0]?.open();
    await expect(runs[0]).resolves.toBe('done');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(3);
    for (const g of gates) g.open();
    await expect(Promise.all(runs.slice(0, 3))).resolves.toEqual(['done', 'done', 'done']);
  });

  it('frees the slot when a task fails', async () => {
    const lane = createWorkLane({ concurrency: 1, maxQueued: 0 });
    await expect(lane.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lane.run(async () => 'next')).resolves.toBe('next');
  });
});
