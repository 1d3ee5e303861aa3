import { createDb, type DbHandle, refreshTokens, sessions, users } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashRefreshToken } from './refresh-token';
import { revokeSession, rotateRefreshToken, type SessionLifetimes, startSession } from './sessions';

const lifetimes: SessionLifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600 };
const t0 = Date.UTC(2026, 0, 1);
let handle: DbHandle;

beforeEach(() => {
  handle = createDb(':memory:');
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: t0 }).run();
});
afterEach(() => handle.close());

const start = () => startSession(handle.db, lifetimes, { userId: 'u1', userAgent: 'Test/1.0' }, t0);
const sessionRow = (id: string) => handle.db.select().from(sessions).where(eq(sessions.id, id)).get();

describe('refresh-token rotation', () => {
  it('stores only the hash of a 256-bit token', () => {
    const { refreshToken, sessionId } = start();
    expect(Buffer.from(refreshToken, 'base64url')).toHaveLength(32);
    const stored = handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId)).all();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).toBe(hashRefreshToken(refreshToken));
    expect(JSON.stringify(stored)).not.toContain(refreshToken);
  });

  it('exchanges a token for a new one and slides the idle expiry', () => {
    const first = start();
    const second = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 60_000);
    expect(second).toMatchObject({ ok: true, sessionId: first.sessionId, userId: 'u1', expiresAt: t0 + 660_000 });
    if (!second.ok) return;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(sessionRow(first.sessionId)?.lastUsedAt).toBe(t0 + 60_000);
    expect(rotateRefreshToken(handle.db, lifetimes, second.refreshToken, t0 + 120_000).ok).toBe(true);
  });

  it('treats a replayed token as theft and revokes the whole family', () => {
    const first = start();
    const second = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 1000);
    expect(second.ok).toBe(true);
    expect(rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 2000)).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
    if (second.ok) {
      expect(rotateRefreshToken(handle.db, lifetimes, second.refreshToken, t0 + 3000)).toEqual({
        ok: false,
        reason: 'revoked',
      });
    }
  });

  it('refuses unknown tokens, idle-expired and absolutely expired sessions', () => {
    expect(rotateRefreshToken(handle.db, lifetimes, 'nope', t0)).toEqual({ ok: false, reason: 'unknown' });
    const idle = start();
    expect(rotateRefreshToken(handle.db, lifetimes, idle.refreshToken, t0 + 600_000)).toEqual({
      ok: false,
      reason: 'expired',
    });

    let current = start().refreshToken;
    for (let minute = 9; minute < 60; minute += 9) {
      const next = rotateRefreshToken(handle.db, lifetimes, current, t0 + minute * 60_000);
      if (!next.ok) throw new Error(`refresh at minute ${minute} failed: ${next.reason}`);
      expect(next.expiresAt).toBeLessThanOrEqual(t0 + 3_600_000);
      current = next.refreshToken;
    }
    expect(rotateRefreshToken(handle.db, lifetimes, current, t0 + 3_600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('stops a revoked session from refreshing, and revokes only the owner’s session', () => {
    const { sessionId, refreshToken } = start();
    expect(revokeSession(handle.db, { sessionId, userId: 'someone-else', reason: 'logout' }, t0)).toBe(false);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(true);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(false);
    expect(rotateRefreshToken(handle.db, lifetimes, refreshToken, t0 + 1)).toEqual({ ok: false, reason: 'revoked' });
  });
});
