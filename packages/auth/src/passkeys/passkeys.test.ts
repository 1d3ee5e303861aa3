import { expect, it } from 'vitest';
import { describeEngines, type OpenStore, testEngines } from '../engines/testing';
import type { NewPasskey } from './passkeys';

const t0 = Date.UTC(2026, 0, 1);
const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };

const passkey = (userId: string, id: string, counter = 0): NewPasskey => ({
  id,
  userId,
  credentialId: `credential-${id}`,
  publicKey: 'key',
  counter,
  transports: ['internal', 'hybrid'],
  deviceType: 'singleDevice',
  backedUp: false,
  name: 'Laptop',
});

describeEngines('passkeys', testEngines(), (current) => {
  /** A user (with a password, or passkey-only) and a session of theirs. */
  async function signedIn(passwordHash = 'hash'): Promise<{ engine: OpenStore; userId: string; sessionId: string }> {
    const engine = current();
    const { store } = engine;
    const user = await store.insertUser({ email: 'ada@example.com', name: null, passwordHash }, t0);
    const { sessionId } = await store.startSession(
      lifetimes,
      { userId: user.id, userAgent: null, credentialVersion: 0, method: 'password', dpopJkt: null },
      t0,
    );
    return { engine, userId: user.id, sessionId };
  }

  /** @see issue 20 review: a passkey registered while a credential change ends its session. */
  it('keeps a passkey only while the session adding it is live, checked in the insert’s transaction', async () => {
    const { engine, userId, sessionId } = await signedIn();
    const { store } = engine;
    expect(await store.insertPasskey(passkey(userId, 'p1'), 20, t0 + 1, sessionId)).toBe('inserted');
    await store.endAllSessions({ userId, reason: 'password_reset', passwordHash: 'new hash' }, t0 + 2);
    expect(await store.insertPasskey(passkey(userId, 'p2'), 20, t0 + 3, sessionId)).toBe('session_ended');
    // An expired session is no more live than an ended one.
    const { sessionId: later } = await store.startSession(
      lifetimes,
      { userId, userAgent: null, credentialVersion: 1, method: 'password', dpopJkt: null },
      t0 + 4,
    );
    expect(await store.insertPasskey(passkey(userId, 'p3'), 20, t0 + 4 + 600_000, later)).toBe('session_ended');
    expect((await store.listPasskeys(userId)).map((key) => key.id)).toEqual(['p1']);
  });

  it('holds a user to the limit, even racing, and a credential id to one passkey', async () => {
    const { engine, userId, sessionId } = await signedIn();
    const { store } = engine;
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((id) => store.insertPasskey(passkey(userId, id), 3, t0 + 1, sessionId)),
    );
    expect(results.filter((result) => result === 'inserted')).toHaveLength(3);
    expect(results.filter((result) => result === 'too_many')).toHaveLength(2);
    const [kept] = await store.listPasskeys(userId);
    expect(
      await store.insertPasskey(
        { ...passkey(userId, 'z'), credentialId: kept?.credentialId ?? '' },
        20,
        t0 + 2,
        sessionId,
      ),
    ).toBe('already_registered');
  });

  it('lists oldest first and finds by credential id, as stored', async () => {
    const { engine, userId, sessionId } = await signedIn();
    const { store } = engine;
    await store.insertPasskey(passkey(userId, 'p2'), 20, t0 + 2, sessionId);
    await store.insertPasskey({ ...passkey(userId, 'p1'), transports: [] }, 20, t0 + 1, sessionId);
    expect((await store.listPasskeys(userId)).map((key) => [key.id, key.createdAt])).toEqual([
      ['p1', t0 + 1],
      ['p2', t0 + 2],
    ]);
    expect(await store.findPasskeyByCredentialId('credential-p2')).toEqual({
      ...passkey(userId, 'p2'),
      createdAt: t0 + 2,
      lastUsedAt: null,
    });
    expect((await store.findPasskeyByCredentialId('credential-p1'))?.transports).toEqual([]);
    expect(await store.findPasskeyByCredentialId('nobody')).toBeNull();
  });

  it('records a use only while the counter moves forward, and of racing uses with one value, one', async () => {
    const { engine, userId, sessionId } = await signedIn();
    const { store } = engine;
    await store.insertPasskey(passkey(userId, 'counted', 5), 20, t0, sessionId);
    await store.insertPasskey(passkey(userId, 'synced', 0), 20, t0, sessionId);
    expect(await store.recordPasskeyUse({ id: 'counted', counter: 5 }, t0 + 1)).toBe(false);
    const racing = await Promise.all(
      [6, 6, 6].map((counter) => store.recordPasskeyUse({ id: 'counted', counter }, t0 + 2)),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await store.recordPasskeyUse({ id: 'counted', counter: 9 }, t0 + 3)).toBe(true);
    // An authenticator that keeps no counter always sends 0.
    expect(await store.recordPasskeyUse({ id: 'synced', counter: 0 }, t0 + 4)).toBe(true);
    expect(await store.recordPasskeyUse({ id: 'gone', counter: 1 }, t0 + 5)).toBe(false);
    const byId = new Map((await store.listPasskeys(userId)).map((key) => [key.id, key]));
    expect(byId.get('counted')).toMatchObject({ counter: 9, lastUsedAt: t0 + 3 });
    expect(byId.get('synced')).toMatchObject({ counter: 0, lastUsedAt: t0 + 4 });
  });

  it('removes a passkey unless it is the last way to sign in, even when two removals race', async () => {
    const { engine, userId, sessionId } = await signedIn('');
    const { store } = engine;
    await store.insertPasskey(passkey(userId, 'p1'), 20, t0, sessionId);
    await store.insertPasskey(passkey(userId, 'p2'), 20, t0, sessionId);
    expect(await store.removePasskey({ id: 'p1', userId: 'someone else' })).toBe('not_found');
    const racing = await Promise.all(['p1', 'p2'].map((id) => store.removePasskey({ id, userId })));
    expect([...racing].sort()).toEqual(['last_sign_in_method', 'removed']);
    expect(await store.listPasskeys(userId)).toHaveLength(1);
    expect(await store.removePasskey({ id: 'p1', userId })).toBe(
      racing[0] === 'removed' ? 'not_found' : 'last_sign_in_method',
    );
  });

  it('lets an account with a password remove its last passkey', async () => {
    const { engine, userId, sessionId } = await signedIn();
    await engine.store.insertPasskey(passkey(userId, 'p1'), 20, t0, sessionId);
    expect(await engine.store.removePasskey({ id: 'p1', userId })).toBe('removed');
    expect(await engine.store.listPasskeys(userId)).toEqual([]);
  });

  it('hands a challenge to one taker only', async () => {
    const { engine, userId, sessionId } = await signedIn();
    const challenge = {
      challengeHash: 'h1',
      purpose: 'registration' as const,
      userId,
      sessionId,
      expiresAt: t0 + 60_000,
    };
    await engine.store.storeChallenge(challenge, t0);
    const taken = await Promise.all([1, 2, 3].map(() => engine.store.takeChallenge('h1')));
    expect(taken.filter((found) => found !== null)).toEqual([challenge]);
  });
});
