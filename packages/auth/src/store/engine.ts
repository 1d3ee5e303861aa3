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
}
