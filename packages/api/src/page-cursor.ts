/** Where a page ended, for lists ordered newest first: the last row's time and id (ids break ties). */
export interface PageCursor {
  createdAt: number;
  id: string;
}

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
 * The cursor a client sent, or null when it is not one of ours (callers answer BAD_REQUEST).
 *
 * @example
 * decodePageCursor('WzE3…'); // { createdAt: 1767225600000, id: '0b8…' }
 */
export function decodePageCursor(text: string): PageCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value;
    return typeof createdAt === 'number' && Number.isSafeInteger(createdAt) && typeof id === 'string'
      ? { createdAt, id }
      : null;
  } catch {
    return null;
  }
}
