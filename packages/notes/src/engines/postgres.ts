import type { TesseraPgDb } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { newestFirst, noteSelection, notesAfter, ownNote } from '../queries';
import type { NotesStore } from '../store';
import { notes } from './postgres-schema';

const selection = noteSelection(notes);

/**
 * The notes on PostgreSQL: the shared statements (../queries.ts), awaited.
 *
 * @example
 * const stores = { notes: createPgNotesStore(db) };
 */
export function createPgNotesStore(db: TesseraPgDb): NotesStore {
  return {
    list(userId, { limit, after }) {
      return db
        .select(selection)
        .from(notes)
        .where(notesAfter(notes, userId, after))
        .orderBy(...newestFirst(notes))
        .limit(limit + 1);
    },
    async get(userId, id) {
      const [note] = await db
        .select(selection)
        .from(notes)
        .where(ownNote(notes, userId, id));
      return note ?? null;
    },
    async create(userId, note) {
      await db.insert(notes).values({ ...note, userId });
    },
    async update(userId, id, changes) {
      const [note] = await db
        .update(notes)
        .set(changes)
        .where(ownNote(notes, userId, id))
        .returning(selection);
      return note ?? null;
    },
    async remove(userId, id) {
      const result = await db.delete(notes).where(ownNote(notes, userId, id));
      return result.rowCount === 1;
    },
    async removeAllOf(userId) {
      return (await db.delete(notes).where(eq(notes.userId, userId))).rowCount ?? 0;
    },
  };
}
