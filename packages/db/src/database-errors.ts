/**
 * SQLSTATEs meaning the database cannot serve right now, not that the query was wrong: class 08
 * (connection exception), the server shutting down or starting (57P01–57P03), too many
 * connections (53300). Retrying later can succeed.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
/** Socket errors of a connection that is gone or never came. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/** node-postgres says these in words, without a code. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

/**
 * Whether `error` (or what it wraps: Drizzle's DrizzleQueryError keeps the driver's error as
 * its cause) says the database is unreachable rather than the request wrong: the server answers
 * 503 SERVICE_UNAVAILABLE for those, never 500.
 *
 * @example
 * isDatabaseUnavailable(new Error('Connection terminated unexpectedly')); // true
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : null;
    if (code !== null && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * A database error's text without the values it was run with: Drizzle's DrizzleQueryError puts
 * every parameter in its message ("Failed query: …\nparams: <email>,<hash>,…"), and so in its
 * stack. What is left names the statement, never a token hash, a password hash or an email.
 *
 * @example
 * withoutQueryParameters('Failed query: insert into "users" …\nparams: ada@example.com,$argon2id$…');
 * // 'Failed query: insert into "users" …\nparams: [withheld]'
 */
export function withoutQueryParameters(text: string): string {
  return text.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/g, '\nparams: [withheld]');
}
