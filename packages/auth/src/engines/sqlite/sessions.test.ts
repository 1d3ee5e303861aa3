import { createDb, type DbHandle, users } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthStore } from '../../store/store';
import { createSecretBox, generateSecretKey } from '../../tokens/secret-box';
import { createSqliteStore } from './store';

const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
const box = createSecretBox({ key: generateSecretKey() });
const t0 = Date.UTC(2026, 0, 1);
let handle: DbHandle;
let store: AuthStore;
let prepared: string[];

beforeEach(() => {
  handle = createDb(':memory:');
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: t0 }).run();
  store = createSqliteStore(handle.db);
  prepared = [];
  const sqlite = handle.db.$client;
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = (source: string) => {
    prepared.push(source);
    return prepare(source);
  };
});
afterEach(() => handle.close());

/** The refresh path's speed comes from this: no statement built or prepared per call (issue 21). */
describe('the rotation on SQLite', () => {
  it('runs statements prepared once per database: none is prepared again, whatever the outcome', async () => {
    const started = await store.startSession(
      lifetimes,
      { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password', dpopJkt: null },
      t0,
    );
    const first = await store.rotateRefreshToken(
      lifetimes,
      { presentedToken: started.refreshToken, client: 'c', box, dpopJkt: null, requireBinding: false },
      t0 + 1,
    );
    if (!first.ok) throw new Error('rotation failed');
    prepared = [];

    const request = (presentedToken: string) => ({
      presentedToken,
      client: 'c',
      box,
      dpopJkt: null,
      requireBinding: false,
    });
    let previous = first.refreshToken;
    let token = first.refreshToken;
    for (let i = 2; i < 10; i++) {
      const next = await store.rotateRefreshToken(lifetimes, request(token), t0 + i);
      if (!next.ok) throw new Error('rotation failed');
      [previous, token] = [token, next.refreshToken];
    }
    // A grace retry, a replay (reuse) and an unknown token: every path of the rule.
    expect(await store.rotateRefreshToken(lifetimes, request(previous), t0 + 20)).toMatchObject({ graceRetry: true });
    expect(await store.rotateRefreshToken(lifetimes, request(first.refreshToken), t0 + 21)).toMatchObject({
      reason: 'reused',
    });
    expect(await store.rotateRefreshToken(lifetimes, request('nope'), t0 + 22)).toMatchObject({ reason: 'unknown' });
    expect(prepared).toEqual([]);
  });
});
