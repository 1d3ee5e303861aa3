import { createDb, type DbHandle, refreshTokens, sessions, users } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInThreadBackground } from '../engines/sqlite/background';
import { rotateRefreshToken, startSession } from '../engines/sqlite/sessions';
import { createSqliteStore } from '../engines/sqlite/store';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import { ENDED_SESSION_RETENTION_MS, pruneExpired } from './housekeeping';

const DAY = 24 * 3600 * 1000;
const lifetimes = { refreshIdleTtl: 7 * 24 * 3600, sessionMaxAge: 30 * 24 * 3600, refreshReuseGrace: 10 };
const now = Date.UTC(2026, 6, 1);
let handle: DbHandle;

beforeEach(() => {
  handle = createDb(':memory:');
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).run();
});
afterEach(() => handle.close());

function session(startedAt: number, revokedAt: number | null = null): string {
  const { sessionId } = startSession(
    handle.db,
    lifetimes,
    { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
    startedAt,
  );
  if (revokedAt !== null) {
    handle.db.update(sessions).set({ revokedAt, revokedReason: 'logout' }).where(eq(sessions.id, sessionId)).run();
  }
  return sessionId;
}

const sessionIds = () =>
  handle.db
    .select({ id: sessions.id })
    .from(sessions)
    .all()
    .map(({ id }) => id);

describe('pruneExpired', () => {
  it('deletes mailed tokens expired, and outbox rows sent or given up, more than 30 days ago', async () => {
    const mail = (id: string) => ({ id, recipient: 'ada@example.com', sealedMessage: 'sealed' });
    const old = now - 31 * DAY;
    const store = createSqliteStore(handle.db);
    const background = createInThreadBackground(handle.db);
    await store.issueEmailToken(
      { userId: 'u1', purpose: 'password_reset', tokenHash: 'old', expiresAt: old, mail: mail('m1') },
      old,
    );
    await background.markMailSent('m1', old);
    await store.issueEmailToken(
      { userId: 'u1', purpose: 'email_verification', tokenHash: 'new', expiresAt: now + DAY, mail: mail('m2') },
      now,
    );
    await background.markMailSent('m2', now);
    // One token and its sent mail are past the retention; the fresh pair stays.
    expect(await pruneExpired(handle.db, now)).toEqual({ sessions: 0, rateLimits: 0, mail: 2, challenges: 0 });
    expect(await store.checkEmailToken('email_verification', 'new', now)).toEqual({ ok: true, userId: 'u1' });
  });

  it('deletes passkey challenges once expired, and keeps those still answerable', async () => {
    const store = createSqliteStore(handle.db);
    const challenge = (hash: string, expiresAt: number) =>
      store.storeChallenge(
        { challengeHash: hash, purpose: 'authentication', userId: null, sessionId: null, expiresAt },
        now - 1000,
      );
    await challenge('expired', now - 1);
    await challenge('live', now + 60_000);
    expect(await pruneExpired(handle.db, now)).toEqual({ sessions: 0, rateLimits: 0, mail: 0, challenges: 1 });
    expect(await store.takeChallenge('expired')).toBeNull();
    expect(await store.takeChallenge('live')).toMatchObject({ challengeHash: 'live', expiresAt: now + 60_000 });
  });

  it('deletes sessions revoked or expired more than 30 days ago, with their refresh tokens', async () => {
    const revokedLongAgo = session(now - 40 * DAY, now - 31 * DAY);
    const expiredLongAgo = session(now - 40 * DAY); // idle expiry: 33 days ago
    const revokedRecently = session(now - 35 * DAY, now - 29 * DAY); // idle expiry: 28 days ago
    const revokedJustNow = session(now - DAY, now - 1000); // still in the revocation window
    const live = session(now - DAY);
    const rotated = startSession(
      handle.db,
      lifetimes,
      { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
      now - 60 * DAY,
    );
    const box = createSecretBox({ key: generateSecretKey() });
    rotateRefreshToken(
      handle.db,
      lifetimes,
      { presentedToken: rotated.refreshToken, client: 'c', box },
      now - 59 * DAY,
    );

    expect(await pruneExpired(handle.db, now)).toEqual({ sessions: 3, rateLimits: 0, mail: 0, challenges: 0 });
    expect(sessionIds().toSorted()).toEqual([revokedRecently, revokedJustNow, live].toSorted());
    expect(sessionIds()).not.toContain(revokedLongAgo);
    expect(sessionIds()).not.toContain(expiredLongAgo);
    const tokensLeft = handle.db.select({ sessionId: refreshTokens.sessionId }).from(refreshTokens).all();
    expect(new Set(tokensLeft.map((row) => row.sessionId))).toEqual(new Set([revokedRecently, revokedJustNow, live]));
  });

  it('works in batches and stops when a batch comes back short', async () => {
    for (let i = 0; i < 25; i++) session(now - 90 * DAY, now - ENDED_SESSION_RETENTION_MS - 1);
    const kept = session(now - DAY);

    expect(await pruneExpired(handle.db, now, 10)).toEqual({ sessions: 25, rateLimits: 0, mail: 0, challenges: 0 });
    expect(sessionIds()).toEqual([kept]);
  });

  it('lets other work run between batches', async () => {
    for (let i = 0; i < 30; i++) session(now - 90 * DAY, now - ENDED_SESSION_RETENTION_MS - 1);
    let interleaved = 0;
    const pruning = pruneExpired(handle.db, now, 10);
    // Callbacks queued now run between two batches, not after the whole prune.
    setImmediate(() => {
      interleaved = 30 - sessionIds().length;
    });
    await pruning;
    expect(interleaved).toBeGreaterThan(0);
    expect(interleaved).toBeLessThan(30);
  });
});
