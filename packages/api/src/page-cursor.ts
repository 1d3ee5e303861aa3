import { singleLineText } from '@tessera/contract';
import { z } from 'zod';

/** Where a page ended, for lists ordered newest first: the last row's time and id (ids break ties). */
export interface PageCursor {
  createdAt: number;
  id: string;
}

/** Longer than any cursor {@link encodePageCursor} writes (about 75 characters), so never in the way. */
const CURSOR_MAX_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Every row a page is cut at has a random UUID as its id. */
const rowId = z.uuid();

/**
 * An opaque cursor for the client to hand back as `cursor`.
 *
 * @example
 * encodePageCursor({ createdAt: 1767225600000, id: '0b8…' }); // 'WzE3NjcyMjU2MDAwMDAsIjBiOC4uLiJd'
 */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/**
 * The cursor a client sent, or null when it is not exactly one {@link encodePageCursor} wrote:
 * a time that is a whole number of milliseconds and a row id that is a UUID, in the one spelling
 * the encoder uses. Nothing else reaches a query (a NUL in an id made PostgreSQL fail with 500).
 *
 * @example
 * decodePageCursor('WzE3…'); // { createdAt: 1767225600000, id: '0b8…' }
 * decodePageCursor('WzE3…='); // null: padding is another spelling
 */
export function decodePageCursor(text: string): PageCursor | null {
  // Buffer's decoder skips what is not base64url: check the alphabet first, and the round trip last.
  if (text.length > CURSOR_MAX_LENGTH || !BASE64URL.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id] = value;
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) return null;
  const parsedId = rowId.safeParse(id);
  if (!parsedId.success) return null;
  const cursor = { createdAt, id: parsedId.data };
  return encodePageCursor(cursor) === text ? cursor : null;
}

/**
 * A list's `cursor` input: the `nextCursor` of the previous page, decoded. Anything else is
 * BAD_REQUEST ("cursor: Unknown cursor.").
 *
 * @example
 * z.strictObject({ cursor: pageCursorInput.nullish() }).parse({ cursor: page.nextCursor }); // { cursor: { createdAt, id } }
 */
export const pageCursorInput = singleLineText('The cursor')
  .max(CURSOR_MAX_LENGTH, 'Unknown cursor.')
  .transform((text, context): PageCursor => {
    const cursor = decodePageCursor(text);
    if (cursor === null) {
      context.issues.push({ code: 'custom', message: 'Unknown cursor.', input: text });
      return z.NEVER;
    }
    return cursor;
  });
