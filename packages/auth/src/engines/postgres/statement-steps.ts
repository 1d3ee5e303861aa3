import { awaited, type Step } from '../../store/step';

/**
 * The shapes of a PostgreSQL step: a query awaited when the rule reaches it, and its result in
 * the form the steps' interfaces use on every engine (a row or undefined, nothing, a count).
 */

/** The first row the query returns, if any. */
export function* firstRow<T>(query: PromiseLike<T[]>): Step<T | undefined> {
  return (yield* awaited(query))[0];
}

/** A statement whose result the rule does not need. */
export function* run(statement: PromiseLike<unknown>): Step<void> {
  yield* awaited(statement);
}

/** How many rows the statement changed. */
export function* changed(statement: PromiseLike<{ rowCount: number | null }>): Step<number> {
  return (yield* awaited(statement)).rowCount ?? 0;
}
