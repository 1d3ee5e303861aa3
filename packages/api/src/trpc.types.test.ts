import type { Role } from '@tessera/contract';
import { describe, expectTypeOf, it } from 'vitest';
import { protectedProcedure, publicProcedure, roleProcedure, router, sessionProcedure } from './trpc';

describe('the procedure builders’ types', () => {
  it('gives protected and session procedures a signed-in user and session, never null', () => {
    router({
      mine: protectedProcedure.query(({ ctx }) => {
        expectTypeOf(ctx.user).toEqualTypeOf<{ id: string; role: Role }>();
        expectTypeOf(ctx.sessionId).toEqualTypeOf<string>();
        return null;
      }),
      sensitive: sessionProcedure.query(({ ctx }) => {
        expectTypeOf(ctx.user.id).toEqualTypeOf<string>();
        return null;
      }),
    });
  });

  it('narrows the role in a role procedure', () => {
    router({
      adminOnly: roleProcedure('admin').query(({ ctx }) => {
        expectTypeOf(ctx.user.role).toEqualTypeOf<'admin'>();
        return null;
      }),
    });
  });

  it('gives a public procedure no user at all', () => {
    router({
      open: publicProcedure.query(({ ctx }) => {
        expectTypeOf(ctx).not.toHaveProperty('user');
        return null;
      }),
    });
  });
});
