import { pageCursorInput } from '@tessera/api';
import { limits, multiLineText, singleLineText } from '@tessera/contract';
import { z } from 'zod';

const title = singleLineText('Title', { trim: true })
  .min(1, 'Give the note a title.')
  .max(limits.noteTitleMaxLength, `Title must be at most ${limits.noteTitleMaxLength} characters.`);
const body = multiLineText('Body').max(
  limits.noteBodyMaxLength,
  `Body must be at most ${limits.noteBodyMaxLength} characters.`,
);
const noteId = z.uuid('Unknown note.');

export const listNotesInput = z
  .strictObject({
    limit: z.int().min(1).max(limits.notesPageSizeMax).optional(),
    /** `nextCursor` of the previous page. */
    cursor: pageCursorInput.nullish(),
    /** Sent by TanStack Query's infinite queries; pages only go forward (older notes). */
    direction: z.literal('forward').optional(),
  })
  .optional();
export const noteIdInput = z.strictObject({ id: noteId });
export const createNoteInput = z.strictObject({ title, body });
export const updateNoteInput = z
  .strictObject({ id: noteId, title: title.optional(), body: body.optional() })
  .refine((input) => input.title !== undefined || input.body !== undefined, 'Change the title, the body or both.');
