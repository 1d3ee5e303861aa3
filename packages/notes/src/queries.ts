import { and, type Column, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { NotesCursor } from './store';

/**
 * What both engines' statements say, written once as functions of the notes table's columns
 * (SQLite's table in schema.ts, or PostgreSQL's generated from it): the files under engines/
 * only chain these into each driver's builder.
 */
export interface NoteColumns {
  id: Column;
  userId: Column;
  title: Column;
  body: Column;
  createdAt: Column;
  updatedAt: Column;
}

/** What a client sees of a note: never its owner's id. */
export function noteSelection<T extends NoteColumns>(
  t: T,
): Pick<T, 'id' | 'title' | 'body' | 'createdAt' | 'updatedAt'> {
  return { id: t.id, title: t.title, body: t.body, createdAt: t.createdAt, updatedAt: t.updatedAt };
}

/** The user's note with this id; another user's is absent. */
export function ownNote(t: NoteColumns, userId: string, id: string): SQL | undefined {
  return and(eq(t.id, id), eq(t.userId, userId));
}

/** The user's notes that come after the cursor (all of them without one), newest first. */
export function notesAfter(t: NoteColumns, userId: string, after: NotesCursor | null): SQL | undefined {
  return and(
    eq(t.userId, userId),
    after ? or(lt(t.createdAt, after.createdAt), and(eq(t.createdAt, after.createdAt), lt(t.id, after.id))) : undefined,
  );
}

/** A page's order: newest first, the id breaking ties (as the cursor does). */
export function newestFirst(t: NoteColumns): [SQL, SQL] {
  return [desc(t.createdAt), desc(t.id)];
}
