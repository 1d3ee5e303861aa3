import type { TesseraDb } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { newestFirst, noteSelection, notesAfter, ownNote } from '../queries';
import { notes } from '../schema';
import type { NotesStore } from '../store';

const selection = noteSelection(notes);

/**
 * The notes on SQLite: the shared statements (../queries.ts), run synchronously.
 *
 * @example
 * const stores = { notes: createSqliteNotesStore(db) };
 */
export function createSqliteNotesStore(db: TesseraDb): NotesStore {
  return {
    async list(userId, { limit, after }) {
      return db
        .select(selection)
        .from(notes)
        .where(notesAfter(notes, userId, after))
        .orderBy(...newestFirst(notes))
        .limit(limit + 1)
        .all();
    },
    async get(userId, id) {
      return (
        db
          .select(selection)
          .from(notes)
          .where(ownNote(notes, userId, id))
          .get() ?? null
      );
    },
    async create(userId, note) {
      db.insert(notes)
        .values({ ...note, userId })
        .run();
    },
    async update(userId, id, changes) {
      return (
        db
          .update(notes)
          .set(changes)
          .where(ownNote(notes, userId, id))
          .returning(selection)
          .get() ?? null
      );
    },
    async remove(userId, id) {
      return (
        db
          .delete(notes)
          .where(ownNote(notes, userId, id))
          .run().changes === 1
      );
    },
    async removeAllOf(userId) {
      return db.delete(notes).where(eq(notes.userId, userId)).run().changes;
    },
  };
}
