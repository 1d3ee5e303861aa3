import { limits } from '@tessera/contract';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import { encodePageCursor, pageCursorInput } from '../page-cursor';
import { roleProcedure, router } from '../trpc';

const adminProcedure = roleProcedure('admin');

const listUsersInput = z
  .strictObject({
    limit: z.int().min(1).max(limits.notesPageSizeMax).optional(),
    cursor: pageCursorInput.nullish(),
    direction: z.literal('forward').optional(),
  })
  .optional();

const clientInfo = (ctx: Context) => ({ userAgent: ctx.request.userAgent, ip: ctx.request.ip });

/** What an admin can see and do: every account, and ending all of one account's sessions. */
export const adminRouter = router({
  users: router({
    list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
      const after = input?.cursor ?? null;
      const page = await ctx.auth.listUsers({ limit: input?.limit ?? limits.notesPageSize, after });
      return { items: page.items, nextCursor: page.next ? encodePageCursor(page.next) : null };
    }),

    revokeSessions: adminProcedure
      .input(z.strictObject({ userId: z.uuid('Unknown user.') }))
      .mutation(async ({ ctx, input }) => {
        const actor = { userId: ctx.user.id, sessionId: ctx.sessionId };
        if (!(await ctx.auth.revokeUserSessions(actor, input.userId, clientInfo(ctx)))) {
          throw new TRPCError({ code: 'NOT_FOUND', message: 'No such user.' });
        }
        return { ok: true as const };
      }),
  }),
});
