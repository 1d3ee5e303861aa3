import { BusyError } from './errors';

/** How much argon2id work one kind of request may have running and waiting at once. */
export interface LaneLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a turn; past that a new one is refused at once with `BusyError`. */
  maxQueued: number;
}

export interface WorkLane {
  /** Runs `task` when a slot is free; rejects with `BusyError`, running nothing, when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * A bounded lane for expensive work (password hashing). Each kind of request gets its own lane,
 * so a flood of one kind queues behind itself and is refused past its queue, while another kind
 * (sign-ins) keeps its own slots: nothing queues forever, and one flood cannot starve the rest.
 *
 * @example
 * const lane = createWorkLane({ concurrency: 1, maxQueued: 4 });
 * const hash = await lane.run(() => hashPassword(password)); // may throw BusyError
 */
export function createWorkLane(limits: LaneLimits): WorkLane {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };

  return {
    async run(task) {
      if (running >= limits.concurrency) {
        if (waiting.length >= limits.maxQueued) throw new BusyError();
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
