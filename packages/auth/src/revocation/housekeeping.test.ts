import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_ENGINES, type TestDatabase } from '../engines/test-databases';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import { ENDED_SESSION_RETENTION_MS, pruneExpired } from './housekeeping';

const DAY = 24 * 3600 * 1000;
const lifetimes = { refreshIdleTtl: 7 * 24 * 3600, sessionMaxAge: 30 * 24 * 3600, refreshReuseGrace: 10 };
const now = Date.UTC(2026, 6, 1);

describe.each(TEST_ENGINES)('pruneExpired on $name', ({ skip, open }) => {
  if (skip !== null) console.warn(skip);
  let database: TestDatabase;
  let userId: string;

  beforeEach(async () => {
    database = await open();
    ({ id: userId } = await database.store.insertUser({ email: 'a@example.com', name: null, passwordHash: 'x' }, 0));
  });
  afterEach(() => database.close());

  const start = (startedAt: number) =>
    database.store.startSession(
      lifetimes,
      { userId, userAgent: null, credentialVersion: 0, method: 'password' },
      startedAt,
    );

  async function session(startedAt: number, revokedAt: number | null = null): Promise<string> {
    const { sessionId } = await start(startedAt);
    if (revokedAt !== null) await database.store.revokeSession({ sessionId, userId, reason: 'logout' }, revokedAt);
    return sessionId;
  }

  const column = async (text: string) => (await database.query(text)).map((row) => String(Object.values(row)[0]));
  const sessionIds = () => column('select id from sessions');

  describe.skipIf(skip !== null)('the batches', () => {
    it('deletes mailed tokens expired, and outbox rows sent or given up, more than 30 days ago', async () => {
      const mail = (id: string) => ({ id, recipient: 'ada@example.com', sealedMessage: 'sealed' });
      const old = now - 31 * DAY;
      const { store, background } = database;
      await store.issueEmailToken(
        { userId, purpose: 'password_reset', tokenHash: 'old', expiresAt: old, mail: mail('m1') },
        old,
      );
      await background.markMailSent('m1', old);
      await store.issueEmailToken(
        { userId, purpose: 'email_verification', tokenHash: 'new', expiresAt: now + DAY, mail: mail('m2') },
        now,
      );
      await background.markMailSent('m2', now);
      await store.queueMail(mail('m3'), old);
      await background.markMailFailed('m3', old, 'gave up');
      // One token, its sent mail and a mail given up are past the retention; the fresh pair stays.
      expect(await store.pruneExpired(now)).toEqual({ sessions: 0, rateLimits: 0, mail: 3, challenges: 0 });
      expect(await store.checkEmailToken('email_verification', 'new', now)).toEqual({ ok: true, userId });
      expect(await column('select id from mail_outbox')).toEqual(['m2']);
    });

    it('deletes passkey challenges once expired, and keeps those still answerable', async () => {
      const challenge = (hash: string, expiresAt: number) =>
        database.store.storeChallenge(
          { challengeHash: hash, purpose: 'authentication', userId: null, sessionId: null, expiresAt },
          now - 1000,
        );
      await challenge('expired', now - 1);
      await challenge('live', now + 60_000);
      expect(await database.store.pruneExpired(now)).toEqual({ sessions: 0, rateLimits: 0, mail: 0, challenges: 1 });
      expect(await database.store.takeChallenge('expired')).toBeNull();
      expect(await database.store.takeChallenge('live')).toMatchObject({
        challengeHash: 'live',
        expiresAt: now + 60_000,
      });
    });

    it('deletes throttle counters once their window has passed', async () => {
      const limiter = database.store.rateLimiter({ keyPrefix: 'test', points: 5, duration: 60 });
      await limiter.consume('a');
      await limiter.consume('b');
      expect(await database.store.pruneExpired(Date.now() + 59_000)).toMatchObject({ rateLimits: 0 });
      expect(await database.store.pruneExpired(Date.now() + 61_000)).toMatchObject({ rateLimits: 2 });
      expect(await database.query('select key from rate_limits')).toEqual([]);
    });

    it('deletes sessions revoked or expired more than 30 days ago, with their refresh tokens', async () => {
      const revokedLongAgo = await session(now - 40 * DAY, now - 31 * DAY);
      const expiredLongAgo = await session(now - 40 * DAY); // idle expiry: 33 days ago
      const revokedRecently = await session(now - 35 * DAY, now - 29 * DAY); // idle expiry: 28 days ago
      const revokedJustNow = await session(now - DAY, now - 1000); // still in the revocation window
      const live = await session(now - DAY);
      const rotated = await start(now - 60 * DAY);
      const box = createSecretBox({ key: generateSecretKey() });
      await database.store.rotateRefreshToken(
        lifetimes,
        { presentedToken: rotated.refreshToken, client: 'c', box },
        now - 59 * DAY,
      );

      expect(await database.store.pruneExpired(now)).toEqual({ sessions: 3, rateLimits: 0, mail: 0, challenges: 0 });
      const kept = [revokedRecently, revokedJustNow, live].toSorted();
      expect((await sessionIds()).toSorted()).toEqual(kept);
      expect(await sessionIds()).not.toContain(revokedLongAgo);
      expect(await sessionIds()).not.toContain(expiredLongAgo);
      expect(new Set(await column('select session_id from refresh_tokens'))).toEqual(new Set(kept));
    });

    it('works in batches and stops when a batch comes back short', async () => {
      for (let i = 0; i < 25; i++) await session(now - 90 * DAY, now - ENDED_SESSION_RETENTION_MS - 1);
      const kept = await session(now - DAY);

      expect(await pruneExpired(database.prune, now, 10)).toEqual({
        sessions: 25,
        rateLimits: 0,
        mail: 0,
        challenges: 0,
      });
      expect(await sessionIds()).toEqual([kept]);
    });

    it('lets other work run between batches', async () => {
      for (let i = 0; i < 30; i++) await session(now - 90 * DAY, now - ENDED_SESSION_RETENTION_MS - 1);
      // Callbacks queued while it prunes run between two batches, not after the whole prune.
      let turns = 0;
      let pruned = false;
      const turn = () => {
        turns++;
        if (!pruned) setImmediate(turn);
      };
      setImmediate(turn);
      const { sessions } = await pruneExpired(database.prune, now, 10);
      pruned = true;
      expect(sessions).toBe(30);
      expect(turns).toBeGreaterThanOrEqual(2);
    });
  });
});
