import { BusyError, RateLimitedError } from '../errors';

/** How much argon2id work one kind of request may have running and waiting at once. */
export interface LaneLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a turn, all groups together; past that a new one is refused at once with `BusyError`. */
  maxQueued: number;
  /**
   * Tasks one group (a client's address group) may have waiting or running; past that its new
   * one is refused at once with `RateLimitedError`, and other groups are not affected.
   */
  perGroup: number;
}

export interface WorkLane {
  /**
   * Runs `task` on `group`'s turn; rejects, running nothing, with `RateLimitedError` when the
   * group holds its share already, or `BusyError` when the whole queue is full.
   */
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
}

/** What a group over its share is told to wait: its tasks take milliseconds each. */
const OVER_SHARE_RETRY_MS = 1_000;

interface Group {
  /** Its tasks waiting or running. */
  held: number;
  /** When it last started a task, as a count of starts; 0 until its first turn. */
  lastTurn: number;
  waiting: Array<() => void>;
}

/**
 * A bounded, fairly shared lane for expensive work (password hashing). Each kind of request gets
 * its own lane, so a flood of one kind cannot starve another. Within a lane, tasks are queued per
 * group and a free slot goes to the waiting group served least recently: a group that arrives with
 * nothing in the lane goes first, and busy groups take turns. A group may hold `perGroup` tasks, so
 * one address (or a few) cannot fill the queue; the global `maxQueued` stays as the last resort.
 *
 * @example
 * const lane = createWorkLane({ concurrency: 1, maxQueued: 128, perGroup: 4 });
 * const hash = await lane.run(addressGroup(ip), () => hashPassword(password)); // may throw RateLimitedError, BusyError
 */
export function createWorkLane(limits: LaneLimits): WorkLane {
  let running = 0;
  let queued = 0;
  let turns = 0;
  /** Groups holding at least one task; a group is forgotten once it holds none. */
  const groups = new Map<string, Group>();

  const start = (group: Group) => {
    running++;
    group.lastTurn = ++turns;
  };

  const startNext = () => {
    let next: Group | undefined;
    // Strictly older wins, so groups that have not had a turn go in the order they arrived.
    for (const group of groups.values()) {
      if (group.waiting.length > 0 && (next === undefined || group.lastTurn < next.lastTurn)) next = group;
    }
    const resume = next?.waiting.shift();
    if (!next || !resume) return;
    queued--;
    start(next);
    resume();
  };

  const release = (key: string, group: Group) => {
    running--;
    group.held--;
    if (group.held === 0) groups.delete(key);
    startNext();
  };

  return {
    async run(key, task) {
      const group = groups.get(key) ?? { held: 0, lastTurn: 0, waiting: [] };
      if (group.held >= limits.perGroup) throw new RateLimitedError(OVER_SHARE_RETRY_MS);
      const mustWait = running >= limits.concurrency;
      if (mustWait && queued >= limits.maxQueued) throw new BusyError();
      group.held++;
      groups.set(key, group);
      if (mustWait) {
        queued++;
        await new Promise<void>((resolve) => group.waiting.push(resolve));
      } else {
        start(group);
      }
      try {
        return await task();
      } finally {
        release(key, group);
      }
    },
  };
}
