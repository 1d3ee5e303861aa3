/** Where a page of notes ended: the last note's creation time and id (ids break ties). */
export interface NotesCursor {
  createdAt: number;
  id: string;
}

/**
 * An opaque cursor for the client to hand back.
 *
 * @example
 * encodeCursor({ createdAt: 1767225600000, id: '0b8…' }); // 'WzE3NjcyMjU2MDAwMDAsIjBiOC4uLiJd'
 */
export function encodeCursor(cursor: NotesCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/**
 * The cursor a client sent, or null when it is not one of ours (treated as no cursor by nobody:
 * the router refuses it).
 *
 * @example
 * decodeCursor('WzE3…'); // { createdAt: 1767225600000, id: '0b8…' }
 */
export function decodeCursor(text: string): NotesCursor | null {
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
