import { randomUUID } from 'node:crypto';
import { encodePageCursor, protectedProcedure, router } from '@tessera/api';
import { limits } from '@tessera/contract';
import { TRPCError } from '@trpc/server';
import { createNoteInput, listNotesInput, noteIdInput, updateNoteInput } from './inputs';
import './store';

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
  list: protectedProcedure.input(listNotesInput).query(async ({ ctx, input }) => {
    const limit = input?.limit ?? limits.notesPageSize;
    const after = input?.cursor ?? null;
    const rows = await ctx.stores.notes.list(ctx.user.id, { limit, after });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodePageCursor(last) : null };
  }),

  get: protectedProcedure.input(noteIdInput).query(async ({ ctx, input }) => {
    const note = await ctx.stores.notes.get(ctx.user.id, input.id);
    if (!note) throw notFound();
    return note;
  }),

  create: protectedProcedure.input(createNoteInput).mutation(async ({ ctx, input }) => {
    const now = nextCreatedAt();
    const note = { id: randomUUID(), title: input.title, body: input.body, createdAt: now, updatedAt: now };
    await ctx.stores.notes.create(ctx.user.id, note);
    return note;
  }),

  update: protectedProcedure.input(updateNoteInput).mutation(async ({ ctx, input }) => {
    const { id, ...changes } = input;
    const updated = await ctx.stores.notes.update(ctx.user.id, id, { ...changes, updatedAt: Date.now() });
    if (!updated) throw notFound();
    return updated;
  }),

  delete: protectedProcedure.input(noteIdInput).mutation(async ({ ctx, input }) => {
    if (!(await ctx.stores.notes.remove(ctx.user.id, input.id))) throw notFound();
    return { ok: true as const };
  }),
});
