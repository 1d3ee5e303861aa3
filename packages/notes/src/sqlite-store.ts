import type { TesseraDb } from '@tessera/db';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { notes } from './schema';
import type { NotesStore } from './store';

const noteColumns = {
  id: notes.id,
  title: notes.title,
  body: notes.body,
  createdAt: notes.createdAt,
  updatedAt: notes.updatedAt,
};

/**
 * The notes on SQLite.
 *
 * @example
 * const stores = { notes: createSqliteNotesStore(db) };
 */
export function createSqliteNotesStore(db: TesseraDb): NotesStore {
  return {
    async list(userId, { limit, after }) {
      return db
        .select(noteColumns)
        .from(notes)
        .where(
          and(
            eq(notes.userId, userId),
            after
              ? or(
                  lt(notes.createdAt, after.createdAt),
                  and(eq(notes.createdAt, after.createdAt), lt(notes.id, after.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(notes.createdAt), desc(notes.id))
        .limit(limit + 1)
        .all();
    },
    async get(userId, id) {
      return (
        db
          .select(noteColumns)
          .from(notes)
          .where(and(eq(notes.id, id), eq(notes.userId, userId)))
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
          .where(and(eq(notes.id, id), eq(notes.userId, userId)))
          .returning(noteColumns)
          .get() ?? null
      );
    },
    async remove(userId, id) {
      return (
        db
          .delete(notes)
          .where(and(eq(notes.id, id), eq(notes.userId, userId)))
          .run().changes === 1
      );
    },
  };
}
