import { withoutQueryParameters } from '@tessera/db';

/** Error fields worth a log line that never carry a row's values (PostgreSQL's `detail` can). */
const KEPT_FIELDS = ['code', 'constraint', 'table', 'column', 'routine'] as const;

/** What a logged error becomes: type, message, stack, the safe fields, and its cause the same way. */
export interface LoggedError {
  type: string;
  message: string;
  /** Empty when the error had none. */
  stack: string;
  cause?: LoggedError;
  [field: string]: unknown;
}

/**
 * The logger's serializer for `err`: an error, and the chain of causes it wraps, as plain fields,
 * with every query parameter withheld (Drizzle writes them into the message) and only the
 * fields in {@link KEPT_FIELDS} kept (a driver's `detail` can repeat the values: "Key (email)=(…)").
 * A failing query then names its statement in the log, never a token hash, a password hash or
 * an email.
 *
 * @example
 * Fastify({ logger: { serializers: { err: serializeError } } });
 */
export function serializeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error))
    return { type: typeof error, message: withoutQueryParameters(String(error)), stack: '' };
  const logged: LoggedError = {
    type: error.constructor.name,
    message: withoutQueryParameters(error.message),
    stack: withoutQueryParameters(error.stack ?? ''),
  };
  for (const field of KEPT_FIELDS) {
    if (field in error) logged[field] = (error as Error & Record<string, unknown>)[field];
  }
  if (error.cause !== undefined && depth < 5) logged.cause = serializeError(error.cause, depth + 1);
  return logged;
}
