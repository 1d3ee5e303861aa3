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
 * SQLSTATEs of text the database cannot store: NUL (22021 character_not_in_repertoire), or a
 * character the server's encoding lacks (22P05 untranslatable_character). The request was wrong,
 * not the server: the contract refuses such text first, these are the defence behind it.
 */
const UNSTORABLE_TEXT_SQLSTATE = new Set(['22021', '22P05']);

/** `error` and the errors it wraps (Drizzle's DrizzleQueryError keeps the driver's error as its cause). */
function* causeChain(error: unknown): Generator<Error> {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    yield current;
    current = current.cause;
  }
}

const codeOf = (error: Error): string | null => ('code' in error && typeof error.code === 'string' ? error.code : null);

/**
 * Whether `error` (or what it wraps) says the database is unreachable rather than the request
 * wrong: the server answers 503 SERVICE_UNAVAILABLE for those, never 500.
 *
 * @example
 * isDatabaseUnavailable(new Error('Connection terminated unexpectedly')); // true
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const current of causeChain(error)) {
    const code = codeOf(current);
    if (code !== null && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(current.message)) return true;
  }
  return false;
}

/**
 * Whether `error` (or what it wraps) is the database refusing a text value it cannot store: the
 * server answers 400 BAD_REQUEST for those, never 500.
 *
 * @example
 * isUnstorableText(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })); // true
 */
export function isUnstorableText(error: unknown): boolean {
  for (const current of causeChain(error)) {
    const code = codeOf(current);
    if (code !== null && UNSTORABLE_TEXT_SQLSTATE.has(code)) return true;
  }
  return false;
}

/**
 * Whether `error` (or what it wraps) is a unique constraint refusing a row (PostgreSQL 23505,
 * SQLite's SQLITE_CONSTRAINT_UNIQUE): two writers wanted one value and the other committed first.
 *
 * @example
 * isUniqueViolation(Object.assign(new Error('duplicate key value'), { code: '23505' })); // true
 */
export function isUniqueViolation(error: unknown): boolean {
  for (const current of causeChain(error)) {
    const code = codeOf(current);
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
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
