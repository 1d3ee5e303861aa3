import type { Step } from './step';

/**
 * How a rule reaches the database: an engine runs it over its own steps (`Steps`, the statements
 * it supplies), in a transaction or not. Rules and the store's shared operations (`store/`) are
 * written once against this; `engines/sqlite/` and `engines/postgres/` implement it.
 */
export interface Engine<Steps> {
  /**
   * One write transaction around the rule. SQLite: `BEGIN IMMEDIATE` (the write lock is taken
   * before the first read), the rule run synchronously. PostgreSQL: the rule's steps take their
   * row locks (`FOR UPDATE`) or advisory locks themselves; a deadlock or serialization failure
   * runs the whole rule again (a few times), so a rule must not act outside the database.
   */
  write<T>(rule: (steps: Steps) => Step<T>): Promise<T>;
  /** The rule's statements outside any transaction (single statements, or reads that need no snapshot). */
  read<T>(rule: (steps: Steps) => Step<T>): Promise<T>;
  /**
   * A write tried first without a transaction, for a rule whose common path is one read and one
   * write that checks the read (a compare-and-swap in a single statement). The rule is told
   * whether it holds the write lock (`locked`); unlocked, it throws {@link Contended} when its
   * swap finds the rows changed since its read, or before a decision it may only make under the
   * lock, and the engine runs it again as a {@link write}. PostgreSQL: a round trip per step, no
   * `BEGIN`/`COMMIT`, no row locked by the read. SQLite: a {@link write} at once (its lock is a
   * local, uncontended call), `locked` true.
   */
  optimisticWrite<T>(rule: (steps: Steps, locked: boolean) => Step<T>): Promise<T>;
}

/**
 * Thrown by a rule run by {@link Engine.optimisticWrite} without the lock: what it read has
 * changed, or what comes next must be decided under the lock. The engine runs it again, locked.
 */
export class Contended extends Error {
  constructor(why: string) {
    super(`Contended: ${why}`);
    this.name = 'Contended';
  }
}
