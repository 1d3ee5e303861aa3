import type { AuthClientRouter } from '@tessera/api';
import type { TRPCLink } from '@trpc/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppRouter, RouterInputs, RouterOutputs } from './app-router';

describe('the app router’s types, as clients infer them', () => {
  it('infers every feature’s outputs and inputs', () => {
    expectTypeOf<RouterOutputs['notes']['list']['items'][number]>().toEqualTypeOf<{
      id: string;
      title: string;
      body: string;
      createdAt: number;
      updatedAt: number;
    }>();
    expectTypeOf<RouterOutputs['auth']['me']['role']>().toEqualTypeOf<'user' | 'admin'>();
    expectTypeOf<RouterInputs['notes']['create']>().toEqualTypeOf<{ title: string; body: string }>();
  });

  it('accepts the auth client’s link, which is typed against the auth router alone', () => {
    expectTypeOf<TRPCLink<AuthClientRouter>>().toExtend<TRPCLink<AppRouter>>();
  });
});
