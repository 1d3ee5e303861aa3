import { expect, it } from 'vitest';
import { describeEngines, testEngines } from '../engines/testing';
import { AuthError } from '../errors';
import type { UsersCursor } from './admin';

const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };

describeEngines('accounts', testEngines(), (engine) => {
  it('keeps one account per address, even racing, and finds it by address and by id', async () => {
    const { store } = engine();
    const input = { email: 'ada@example.com', name: 'Ada', passwordHash: 'hash' };
    const results = await Promise.allSettled([1, 2, 3].map(() => store.insertUser(input, 1_000)));
    const inserted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(inserted).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toEqual(new AuthError('EMAIL_TAKEN'));
    }
    const user = {
      id: inserted[0]?.id ?? '',
      email: 'ada@example.com',
      name: 'Ada',
      role: 'user',
      emailVerified: false,
      twoFactorEnabled: false,
    };
    expect(inserted[0]).toEqual(user);
    expect(await store.findUserByEmail('ada@example.com')).toEqual({
      ...user,
      passwordHash: 'hash',
      credentialVersion: 0,
    });
    expect(await store.findUserById(user.id)).toEqual(user);
    expect(await store.findCredential(user.id)).toEqual({ passwordHash: 'hash', credentialVersion: 0 });
    expect(await store.findUserByEmail('nobody@example.com')).toBeNull();
    expect(await store.findUserById('nobody')).toBeNull();
    expect(await store.findCredential('nobody')).toBeNull();
    await store.markEmailVerified(user.id, 2_000);
    await store.markEmailVerified(user.id, 3_000);
    expect(await store.findUserById(user.id)).toEqual({ ...user, emailVerified: true });
  });

  it('lists accounts newest first, a page at a time, with their live sessions', async () => {
    const { store } = engine();
    const ids: string[] = [];
    // Two sign-ups in one millisecond: the id breaks the tie, and no page repeats or skips one.
    for (const [i, at] of [1_000, 2_000, 2_000, 3_000, 4_000].entries()) {
      ids.push((await store.insertUser({ email: `u${i}@example.com`, name: null, passwordHash: 'x' }, at)).id);
    }
    const subject = (userId: string) => ({
      userId,
      userAgent: null,
      credentialVersion: 0,
      method: 'password' as const,
      dpopJkt: null,
    });
    const [first = '', second = ''] = ids;
    await store.startSession(lifetimes, subject(first), 995_000);
    const ended = await store.startSession(lifetimes, subject(first), 995_500);
    await store.revokeSession({ sessionId: ended.sessionId, userId: first, reason: 'logout' }, 995_600);
    await store.startSession(lifetimes, subject(second), 0); // idle expiry (600 s) past at 1_000_000

    const seen: string[] = [];
    let after: UsersCursor | null = null;
    for (;;) {
      const page = await store.listUsers({ limit: 2, after }, 1_000_000);
      seen.push(...page.items.map((item) => item.id));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.slice(0, 1)).toEqual([ids[4]]);
    expect(seen.at(-1)).toBe(first);

    const { items } = await store.listUsers({ limit: 10, after: null }, 1_000_000);
    expect(items.find((item) => item.id === first)).toEqual({
      id: first,
      email: 'u0@example.com',
      role: 'user',
      createdAt: 1_000,
      // Last active: the ended session's last use counts too (issue 26: "last active never").
      lastActiveAt: 995_500,
      sessions: 1,
      twoFactorEnabled: false,
    });
    expect(items.find((item) => item.id === second)).toMatchObject({ lastActiveAt: 0, sessions: 0 });
    expect(items.find((item) => item.id === ids[2])).toMatchObject({ lastActiveAt: null, sessions: 0 });
  });
});
