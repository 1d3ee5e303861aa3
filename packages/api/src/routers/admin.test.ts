import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { signedInContext, testAuthForEachTest } from '../testing/test-context';
import { createCallerFactory, router } from '../trpc';
import { createAdminRouter } from './admin';

const createCaller = createCallerFactory(router({ admin: createAdminRouter() }));

const testAuth = testAuthForEachTest();

describe('admin procedures, through the caller', () => {
  it('are FORBIDDEN to a user, and list every account to an admin, newest first, a page at a time', async () => {
    const { auth, stores } = testAuth();
    const { ctx: userCtx } = await signedInContext(auth, stores, { email: 'user@example.com' });
    const forbidden = await createCaller(userCtx)
      .admin.users.list()
      .catch((error: unknown) => error);
    expect(forbidden).toBeInstanceOf(TRPCError);
    expect((forbidden as TRPCError).code).toBe('FORBIDDEN');

    const { ctx: adminCtx } = await signedInContext(auth, stores, { email: 'admin@example.com', role: 'admin' });
    const admin = createCaller(adminCtx).admin;
    const first = await admin.users.list({ limit: 1 });
    const second = await admin.users.list({ limit: 1, cursor: first.nextCursor });
    expect(second.nextCursor).toBeNull();
    // Two accounts made in one millisecond: the order between them is the id's; both appear once.
    const listed = [...first.items, ...second.items];
    expect(listed.map((u) => u.email).toSorted()).toEqual(['admin@example.com', 'user@example.com']);
    expect(listed.find((u) => u.email === 'user@example.com')).toMatchObject({ role: 'user', sessions: 1 });
    expect(listed.find((u) => u.email === 'admin@example.com')).toMatchObject({ role: 'admin', sessions: 1 });
  });
});
