import type { Note, NotesCursor, NotesStore } from './store';

/** Notes read per statement while exporting: a page, not the whole table at once. */
const EXPORT_PAGE = 500;

/**
 * Every note of the user, newest first, read a page at a time through the store's own paging,
 * for the account export.
 *
 * @example
 * const notes = await allNotesOf(stores.notes, userId);
 */
export async function allNotesOf(store: NotesStore, userId: string): Promise<Note[]> {
  const all: Note[] = [];
  let after: NotesCursor | null = null;
  for (;;) {
    const page = await store.list(userId, { limit: EXPORT_PAGE, after });
    all.push(...page.slice(0, EXPORT_PAGE));
    const last = page[EXPORT_PAGE - 1];
    if (page.length <= EXPORT_PAGE || last === undefined) return all;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
