import { describe, expect, it } from 'vitest';
import { CLAMPED_NOTE_LINES, isLongNote } from './long-note';

describe('isLongNote', () => {
  it('leaves short notes whole', () => {
    expect(isLongNote('')).toBe(false);
    expect(isLongNote('milk, eggs, bread')).toBe(false);
    expect(isLongNote(Array.from({ length: CLAMPED_NOTE_LINES }, () => 'a line').join('\n'))).toBe(false);
  });

  it('clamps a note longer than a few lines, by characters or by line breaks', () => {
    expect(isLongNote('word '.repeat(4000))).toBe(true);
    expect(isLongNote(Array.from({ length: CLAMPED_NOTE_LINES + 1 }, () => 'a line').join('\n'))).toBe(true);
  });
});
