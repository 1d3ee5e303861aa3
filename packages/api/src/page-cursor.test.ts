import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodePageCursor, encodePageCursor, pageCursorInput } from './page-cursor';

const page = { createdAt: 1_767_225_600_000, id: '0b8e6a0c-5f7e-4c3a-9d2b-1e4f6a8c0d2e' };
const encoded = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('decodePageCursor', () => {
  it('reads back exactly what encodePageCursor wrote', () => {
    expect(decodePageCursor(encodePageCursor(page))).toEqual(page);
    expect(decodePageCursor(encodePageCursor({ createdAt: 0, id: page.id }))).toEqual({ createdAt: 0, id: page.id });
  });

  it.each([
    ['an empty text', ''],
    ['padding', `${encodePageCursor(page)}=`],
    ['a NUL after a real cursor', `${encodePageCursor(page)}\u0000`],
    ['a NUL alone', '\u0000'],
    ['base64 characters after a real cursor', `${encodePageCursor(page)}+/`],
    ['another spelling of the same JSON', encoded(`[${page.createdAt}, "${page.id}"]`)],
    ['an id with a NUL', encoded([page.createdAt, '\u0000'])],
    ['an id that is not a UUID', encoded([page.createdAt, 'not-a-note-id'])],
    ['a negative time', encoded([-1, page.id])],
    ['a fractional time', encoded([1.5, page.id])],
    ['a time as text', encoded([String(page.createdAt), page.id])],
    ['a third element', encoded([page.createdAt, page.id, 1])],
    ['an object', encoded(page)],
    ['no JSON at all', encoded('not json')],
    ['a very long text', 'A'.repeat(10_000)],
  ])('refuses %s', (_name, text) => {
    expect(decodePageCursor(text)).toBeNull();
  });
});

describe('pageCursorInput', () => {
  const input = z.strictObject({ cursor: pageCursorInput.nullish() });

  it('decodes a cursor, and leaves a missing one missing', () => {
    expect(input.parse({ cursor: encodePageCursor(page) })).toEqual({ cursor: page });
    expect(input.parse({ cursor: null })).toEqual({ cursor: null });
  });

  it('refuses anything else on the cursor field, a control character with its own message', () => {
    const issuesOf = (cursor: string) =>
      input.safeParse({ cursor }).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issuesOf('not-a-cursor')).toEqual([['cursor', 'Unknown cursor.']]);
    expect(issuesOf(encoded([page.createdAt, '\u0000']))).toEqual([['cursor', 'Unknown cursor.']]);
    expect(issuesOf('\u0000')).toEqual([['cursor', 'The cursor must not contain control characters.']]);
  });
});
