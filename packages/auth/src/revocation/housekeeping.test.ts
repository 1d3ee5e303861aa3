import { beforeEach, expect, it } from 'vitest';
import { describeEngines, type OpenStore, testEngines } from '../engines/testing';
import { ENDED_SESSION_RETENTION_MS } from './housekeeping';
import { pruneExpired } from './operations';

const DAY = 24 * 3600 * 1000;
const lifetimes = { refreshIdleTtl: 7 * 24 * 3600, sessionMaxAge: 30 * 24 * 3600, refreshReuseGrace: 10 };
const now = Date.UTC(2026, 6, 1);

/*
 * The batches themselves, with a batch size of the test's choosing; what each table keeps and
 * loses is the store conformance suite's (store/store.test.ts, "housekeeping").
 */
describeEngines('pruneExpired', testEngines(), (current) => {
  let engine: OpenStore;
  let userId: string;

  beforeEach(async () => {
    engine = current();
    ({ id: userId } = await engine.store.insertUser({ email: 'a@example.com', name: null, passwordHash: 'x' }, 0));
  });

  async function session(startedAt: number, revokedAt: number | null = null): Promise<string> {
    const subject = { userId, userAgent: null, credentialVersion: 0, method: 'password' as const, dpopJkt: null };
    const { sessionId } = await engine.store.startSession(lifetimes, subject, startedAt);
    if (revokedAt !== null) await engine.store.revokeSession({ sessionId, userId, reason: 'logout' }, revokedAt);
    return sessionId;
  }
  const endedLongAgo = () => session(now - 90 * DAY, now - ENDED_SESSION_RETENTION_MS - 1);
  const sessionIds = async () => (await engine.rows('select id from sessions')).map((row) => row.id);

  it('works in batches and stops when a batch comes back short', async () => {
    for (let i = 0; i < 25; i++) await endedLongAgo();
    const kept = await session(now - DAY);

    expect(await pruneExpired(engine.prune, now, 10)).toEqual({
      sessions: 25,
      rateLimits: 0,
      mail: 0,
      challenges: 0,
      pendingSignIns: 0,
      oauthRequests: 0,
      deletedAccounts: 0,
    });
    expect(await sessionIds()).toEqual([kept]);
  });

  it('lets other work run between batches', async () => {
    for (let i = 0; i < 30; i++) await endedLongAgo();
    // Callbacks queued while it prunes run between two batches, not only after the whole prune.
    let turns = 0;
    let pruned = false;
    const turn = () => {
      turns++;
      if (!pruned) setImmediate(turn);
    };
    setImmediate(turn);
    const { sessions } = await pruneExpired(engine.prune, now, 10);
    pruned = true;
    expect(sessions).toBe(30);
    expect(turns).toBeGreaterThanOrEqual(2);
  });
});
