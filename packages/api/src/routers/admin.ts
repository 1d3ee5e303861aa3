import { limits } from '@tessera/contract';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { deleteAccountEverywhere } from '../account-deletion';
import type { Context } from '../context';
import type { Feature } from '../feature';
import { encodePageCursor, pageCursorInput } from '../page-cursor';
import { freshRoleProcedure, roleProcedure, router } from '../trpc';

const adminProcedure = roleProcedure('admin');
const userInput = z.strictObject({ userId: z.uuid('Unknown user.') });
const noSuchUser = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such user.' });

const listUsersInput = z
  .strictObject({
    limit: z.int().min(1).max(limits.notesPageSizeMax).optional(),
    cursor: pageCursorInput.nullish(),
    direction: z.literal('forward').optional(),
  })
  .optional();

const clientInfo = (ctx: Context) => ({ userAgent: ctx.request.userAgent, ip: ctx.request.ip });

/**
 * What an admin can see and do: every account, ending all of one account's sessions, resetting a
 * second factor, deleting an account (with every mounted feature's rows).
 *
 * @example
 * router({ admin: createAdminRouter({ features }) });
 */
export const createAdminRouter = ({ features = [] }: { features?: readonly Feature[] } = {}) =>
  router({
    users: router({
      list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
        const after = input?.cursor ?? null;
        const page = await ctx.auth.listUsers({ limit: input?.limit ?? limits.notesPageSize, after });
        return { items: page.items, nextCursor: page.next ? encodePageCursor(page.next) : null };
      }),

      revokeSessions: adminProcedure.input(userInput).mutation(async ({ ctx, input }) => {
        const actor = { userId: ctx.user.id, sessionId: ctx.sessionId };
        if (!(await ctx.auth.revokeUserSessions(actor, input.userId, clientInfo(ctx)))) throw noSuchUser();
        return { ok: true as const };
      }),

      /**
       * Turns off the two-step verification of a user who lost their authenticator and recovery
       * codes (after checking who they are some other way): every session of theirs ends and they
       * are mailed. A fresh proof first. NOT_FOUND when there is no such user or it was off.
       */
      resetTwoFactor: freshRoleProcedure('admin')
        .input(userInput)
        .mutation(async ({ ctx, input }) => {
          const actor = { userId: ctx.user.id, sessionId: ctx.sessionId };
          if (!(await ctx.auth.resetTwoFactor(actor, input.userId, clientInfo(ctx)))) {
            throw new TRPCError({ code: 'NOT_FOUND', message: 'No such user with two-step verification.' });
          }
          return { ok: true as const };
        }),

      /**
       * Deletes an account, as its owner can (a fresh proof first): every session ends, its rows
       * go in the core and in every feature, a proved address gets a goodbye. NOT_FOUND for no
       * such account; PRECONDITION_FAILED for the last admin.
       */
      delete: freshRoleProcedure('admin')
        .input(userInput)
        .mutation(async ({ ctx, input }) => {
          const admin = { userId: ctx.user.id, sessionId: ctx.sessionId };
          await deleteAccountEverywhere(ctx, features, { admin, userId: input.userId });
          return { ok: true as const };
        }),
    }),
  });
