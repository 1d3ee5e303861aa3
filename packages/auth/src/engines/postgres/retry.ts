/** SQLSTATEs that mean "run the transaction again": serialization_failure and deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);
/** Attempts in all, the first included: enough for crossing exchanges, bounded for a pathological load. */
const MAX_ATTEMPTS = 5;

/** The SQLSTATE of a PostgreSQL error, also when Drizzle wrapped it (DrizzleQueryError's cause). */
function sqlState(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return null;
}

/**
 * Runs `transaction` again when PostgreSQL aborted it for a deadlock or a serialization failure,
 * up to {@link MAX_ATTEMPTS} times; any other error, or the last attempt's, is thrown.
 *
 * @example
 * const result = await retryOnConflict(() => db.transaction(async (tx) => rotate(tx)));
 */
export async function retryOnConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= MAX_ATTEMPTS || state === null || !RETRYABLE.has(state)) throw error;
    }
  }
}
