import type { TesseraPgDb } from '@tessera/db';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { pgNotes as notes } from './pg-schema';
import type { NotesStore } from './store';

const noteColumns = {
  id: notes.id,
  title: notes.title,
  body: notes.body,
  createdAt: notes.createdAt,
  updatedAt: notes.updatedAt,
};

/**
 * The notes on PostgreSQL; the same queries as the SQLite store.
 *
 * @example
 * const stores = { notes: createPgNotesStore(db) };
 */
export function createPgNotesStore(db: TesseraPgDb): NotesStore {
  return {
    list(userId, { limit, after }) {
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
        .limit(limit + 1);
    },
    async get(userId, id) {
      const [note] = await db
        .select(noteColumns)
        .from(notes)
        .where(and(eq(notes.id, id), eq(notes.userId, userId)));
      return note ?? null;
    },
    async create(userId, note) {
      await db.insert(notes).values({ ...note, userId });
    },
    async update(userId, id, changes) {
      const [note] = await db
        .update(notes)
        .set(changes)
        .where(and(eq(notes.id, id), eq(notes.userId, userId)))
        .returning(noteColumns);
      return note ?? null;
    },
    async remove(userId, id) {
      const result = await db.delete(notes).where(and(eq(notes.id, id), eq(notes.userId, userId)));
      return result.rowCount === 1;
    },
  };
}
