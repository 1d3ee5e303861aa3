import type { AuthClientRouter } from '@tessera/api';
import type { Session } from '@tessera/contract';
import type { inferRouterOutputs } from '@trpc/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { SecondStep } from './types';

describe('the auth client’s types', () => {
  it('are the contract’s: the auth router answers exactly a Session, or at sign-in a second step', () => {
    type Outputs = inferRouterOutputs<AuthClientRouter>;
    expectTypeOf<Outputs['auth']['refresh']>().toEqualTypeOf<Session>();
    expectTypeOf<Outputs['auth']['login']>().toEqualTypeOf<Session | SecondStep>();
    expectTypeOf<Outputs['auth']['twoFactor']['verify']>().toEqualTypeOf<Session>();
  });
});
