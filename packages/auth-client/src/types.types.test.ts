import type { AuthClientRouter } from '@tessera/api';
import type { Session } from '@tessera/contract';
import type { inferRouterOutputs } from '@trpc/server';
import { describe, expectTypeOf, it } from 'vitest';

describe('the auth client’s types', () => {
  it('are the contract’s: the auth router answers exactly a Session', () => {
    type Outputs = inferRouterOutputs<AuthClientRouter>;
    expectTypeOf<Outputs['auth']['refresh']>().toEqualTypeOf<Session>();
    expectTypeOf<Outputs['auth']['login']>().toEqualTypeOf<Session>();
  });
});
