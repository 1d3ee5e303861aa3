import { randomUUID } from 'node:crypto';
import { decodePageCursor, encodePageCursor, protectedProcedure, router } from '@tessera/api';
import { limits } from '@tessera/contract';
import { TRPCError } from '@trpc/server';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { createNoteInput, listNotesInput, noteIdInput, updateNoteInput } from './inputs';
import { notes } from './schema';

/** What a client sees of a note: never its owner's id. */
const noteColumns = {
  id: notes.id,
  title: notes.title,
  body: notes.body,
  createdAt: notes.createdAt,
  updatedAt: notes.updatedAt,
};

/**
 * Creation times that never repeat within this process, so "newest first" follows the order
 * notes were written in even when several land in one millisecond.
 */
let lastCreatedAt = 0;
const nextCreatedAt = () => {
  lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1);
  return lastCreatedAt;
};

/** Another user's note is as unknown as a note that never existed (never FORBIDDEN). */
const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such note.' });

/**
 * The notes feature: a user's own notes, built only from `@tessera/api`'s builders. Every
 * query is scoped to `ctx.user.id`.
 */
export const notesRouter = router({
  list: protectedProcedure.input(listNotesInput).query(({ ctx, input }) => {
    const limit = input?.limit ?? limits.notesPageSize;
    const after = input?.cursor ? decodePageCursor(input.cursor) : null;
    if (input?.cursor && !after)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid input. cursor: Unknown cursor.' });
    const rows = ctx.db
      .select(noteColumns)
      .from(notes)
      .where(
        and(
          eq(notes.userId, ctx.user.id),
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
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodePageCursor(last) : null };
  }),

  get: protectedProcedure.input(noteIdInput).query(({ ctx, input }) => {
    const note = ctx.db
      .select(noteColumns)
      .from(notes)
      .where(and(eq(notes.id, input.id), eq(notes.userId, ctx.user.id)))
      .get();
    if (!note) throw notFound();
    return note;
  }),

  create: protectedProcedure.input(createNoteInput).mutation(({ ctx, input }) => {
    const now = nextCreatedAt();
    const note = { id: randomUUID(), title: input.title, body: input.body, createdAt: now, updatedAt: now };
    ctx.db
      .insert(notes)
      .values({ ...note, userId: ctx.user.id })
      .run();
    return note;
  }),

  update: protectedProcedure.input(updateNoteInput).mutation(({ ctx, input }) => {
    const { id, ...changes } = input;
    const updated = ctx.db
      .update(notes)
      .set({ ...changes, updatedAt: Date.now() })
      .where(and(eq(notes.id, id), eq(notes.userId, ctx.user.id)))
      .returning(noteColumns)
      .get();
    if (!updated) throw notFound();
    return updated;
  }),

  delete: protectedProcedure.input(noteIdInput).mutation(({ ctx, input }) => {
    const deleted = ctx.db
      .delete(notes)
      .where(and(eq(notes.id, input.id), eq(notes.userId, ctx.user.id)))
      .run();
    if (deleted.changes !== 1) throw notFound();
    return { ok: true as const };
  }),
});
