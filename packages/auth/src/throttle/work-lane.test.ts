import { describe, expect, it } from 'vitest';
import { BusyError, RateLimitedError } from '../errors';
import { createWorkLane, type LaneLimits } from './work-lane';

/** A task the test finishes by hand. */
function gate() {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { task: () => done, open };
}

/** Lets every settled promise run its continuations (the lane hands a freed slot on in one). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A lane whose tasks are named, log when they start, and finish when the test says. */
function namedLane(limits: LaneLimits) {
  const lane = createWorkLane(limits);
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const run = (group: string, name: string) => {
    const g = gate();
    gates.set(name, g.open);
    return lane.run(group, async () => {
      started.push(name);
      await g.task();
      return name;
    });
  };
  const finish = async (name: string) => {
    gates.get(name)?.();
    await settle();
  };
  return { run, started, finish };
}

describe('createWorkLane', () => {
  it('runs at most `concurrency` tasks at once, queues up to `maxQueued`, and refuses the rest at once', async () => {
    const lane = createWorkLane({ concurrency: 2, maxQueued: 1, perGroup: 10 });
    let started = 0;
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g) =>
      lane.run('203.0.113.1', async () => {
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
    await settle();
    expect(started).toBe(3);
    for (const g of gates) g.open();
    await expect(Promise.all(runs.slice(0, 3))).resolves.toEqual(['done', 'done', 'done']);
  });

  it('frees the slot when a task fails', async () => {
    const lane = createWorkLane({ concurrency: 1, maxQueued: 0, perGroup: 1 });
    await expect(lane.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lane.run('a', async () => 'next')).resolves.toBe('next');
  });

  /** @see issue 20, finding 5: one address filled the shared queue and delayed everyone's sign-in. */
  it('lets a group hold `perGroup` tasks, running or waiting, refuses its next with RateLimitedError, and other groups are unaffected', async () => {
    const lane = namedLane({ concurrency: 1, maxQueued: 100, perGroup: 3 });
    const held = [lane.run('attacker', 'a1'), lane.run('attacker', 'a2'), lane.run('attacker', 'a3')];
    const refused = lane.run('attacker', 'a4');
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 1 });
    const bystander = lane.run('bystander', 'b1');

    await lane.finish('a1');
    expect(lane.started).toEqual(['a1', 'b1']);
    // A freed share can be used again.
    const again = lane.run('attacker', 'a5');
    for (const name of ['b1', 'a2', 'a3', 'a5']) await lane.finish(name);
    await expect(Promise.all([...held, bystander, again])).resolves.toEqual(['a1', 'a2', 'a3', 'b1', 'a5']);
    expect(lane.started).toEqual(['a1', 'b1', 'a2', 'a3', 'a5']);
  });

  it('gives a freed slot to the waiting group served least recently: busy groups take turns, a newcomer goes first', async () => {
    const lane = namedLane({ concurrency: 1, maxQueued: 100, perGroup: 10 });
    const runs = ['a1', 'a2', 'a3'].map((name) => lane.run('a', name));
    runs.push(...['b1', 'b2'].map((name) => lane.run('b', name)));
    await lane.finish('a1');
    await lane.finish('b1');
    expect(lane.started).toEqual(['a1', 'b1', 'a2']);
    // c has had no turn yet: it goes before b, which has been waiting longer but was served.
    runs.push(lane.run('c', 'c1'));
    for (const name of ['a2', 'c1', 'b2', 'a3']) await lane.finish(name);
    expect(lane.started).toEqual(['a1', 'b1', 'a2', 'c1', 'b2', 'a3']);
    await expect(Promise.all(runs)).resolves.toHaveLength(6);
  });

  it('keeps the global queue limit as a last resort, whatever the groups', async () => {
    const lane = namedLane({ concurrency: 1, maxQueued: 2, perGroup: 10 });
    const runs = [lane.run('a', 'a1'), lane.run('b', 'b1'), lane.run('c', 'c1')];
    await expect(lane.run('d', 'd1')).rejects.toBeInstanceOf(BusyError);
    for (const name of ['a1', 'b1', 'c1']) await lane.finish(name);
    await expect(Promise.all(runs)).resolves.toEqual(['a1', 'b1', 'c1']);
  });
});
