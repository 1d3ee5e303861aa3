import { z } from 'zod';

/**
 * The one rule for text from a client. No person types a control character (Unicode Cc: the C0
 * range, DEL, C1), and NUL cannot even be stored: PostgreSQL refuses it in `text` (SQLSTATE
 * 22021), which would make a typing slip a 500. Every string input is built from these helpers;
 * app-router.test.ts (apps/server) finds any procedure input that is not.
 */
const CONTROL = /\p{Cc}/u;
/** What a multi-line field keeps of the controls: the tab and the line breaks its text is made of. */
const CONTROL_BUT_LINES = /(?![\t\n\r])\p{Cc}/u;

/** The checks these helpers add, so a test can tell a string that follows the rule from one that does not. */
const ruleChecks = new WeakSet<z.core.$ZodCheck<string>>();

function withRule(pattern: RegExp, message: string, options: TextOptions): z.ZodString {
  const check = z.refine<string>((value) => !pattern.test(value), message);
  ruleChecks.add(check);
  // Trimmed first, so a tab or line break pasted around a one-line value is dropped, not refused.
  return (options.trim ? z.string().trim() : z.string()).check(check);
}

export interface TextOptions {
  /** Drop whitespace (tabs and line breaks included) at both ends before the check. */
  trim?: boolean;
}

/**
 * A one-line value (an email, a password, a name, a title, a token, a cursor): refuses every
 * control character, saying so with `label`.
 *
 * @example
 * const title = singleLineText('Title', { trim: true }).max(200);
 * title.safeParse('a\u0000b').error?.issues[0]?.message; // 'Title must not contain control characters.'
 */
export function singleLineText(label: string, options: TextOptions = {}): z.ZodString {
  return withRule(CONTROL, `${label} must not contain control characters.`, options);
}

/**
 * Text that may span lines (a note's body): keeps tabs and line breaks (\t \n \r), refuses NUL
 * and every other control character.
 *
 * @example
 * multiLineText('Body').parse('one\r\ntwo\tthree'); // kept as it is
 */
export function multiLineText(label: string, options: TextOptions = {}): z.ZodString {
  return withRule(
    CONTROL_BUT_LINES,
    `${label} must not contain control characters (line breaks and tabs are fine).`,
    options,
  );
}

/**
 * Whether a string schema carries the rule of {@link singleLineText} or {@link multiLineText}.
 *
 * @example
 * followsTextRule(singleLineText('Name').max(100)); // true
 * followsTextRule(z.string()); // false
 */
export function followsTextRule(schema: z.core.$ZodType): boolean {
  return (schema._zod.def.checks ?? []).some((check) => ruleChecks.has(check as z.core.$ZodCheck<string>));
}
