/**
 * A rule written once for every engine (the "gensync" pattern): a generator over the engine's
 * steps, each step itself a generator. On SQLite a step runs its prepared statement and returns
 * at once, never yielding, so the whole rule runs synchronously inside one `BEGIN IMMEDIATE`
 * transaction ({@link runNow}). On PostgreSQL a step yields its query and is resumed with what
 * the query resolved to ({@link awaited}, {@link runAwaited}). The rule reads the same either way:
 *
 * @example
 * function* touch(steps: SessionSteps, sessionId: string, now: number): Step<boolean> {
 *   const session = yield* steps.findSession(sessionId);
 *   if (session === null) return false;
 *   return yield* steps.markUsed(sessionId, now);
 * }
 */
export type Step<T> = Generator<PromiseLike<unknown>, T, unknown>;

/** A step that runs at once (SQLite): `run` is called when the rule reaches the step. */
// biome-ignore lint/correctness/useYield: a synchronous step never waits, which is what runNow relies on.
export function* immediate<T>(run: () => T): Step<T> {
  return run();
}

/** A step that waits on a query (PostgreSQL): resumed by {@link runAwaited} with its result. */
export function* awaited<T>(query: PromiseLike<T>): Step<T> {
  // runAwaited resumes this generator with exactly what `query` resolved to: the cast is exact.
  return (yield query) as T;
}

/**
 * Runs a rule whose steps never wait (SQLite's), to completion, now: its statements run inside
 * whatever transaction the caller holds, with no turn of the event loop in between.
 */
export function runNow<T>(rule: Step<T>): T {
  const result = rule.next();
  if (!result.done) throw new Error('A synchronous engine step waited on a promise');
  return result.value;
}

/**
 * Runs a rule whose steps wait on queries (PostgreSQL's), one statement at a time, in order; a
 * query's error is thrown into the rule at the step that waited for it.
 */
export async function runAwaited<T>(rule: Step<T>): Promise<T> {
  let result = rule.next();
  while (!result.done) {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await result.value };
    } catch (error) {
      outcome = { ok: false, error };
    }
    result = outcome.ok ? rule.next(outcome.value) : rule.throw(outcome.error);
  }
  return result.value;
}
