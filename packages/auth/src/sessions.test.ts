import { createDb, type DbHandle, refreshTokens, sessions, users } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashRefreshToken } from './refresh-token';
import {
  listSessions,
  revokeAllSessions,
  revokeSession,
  rotateRefreshToken,
  type SessionLifetimes,
  sessionStatus,
  startSession,
} from './sessions';

const lifetimes: SessionLifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
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

  it('treats a token replayed after the grace window as theft and revokes the whole family', () => {
    const first = start();
    const second = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 1000);
    expect(second.ok).toBe(true);
    expect(rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 11_000)).toEqual({
      ok: false,
      reason: 'reused',
      sessionId: first.sessionId,
      userId: 'u1',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
    if (!second.ok) return;
    expect(rotateRefreshToken(handle.db, lifetimes, second.refreshToken, t0 + 12_000)).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });

  it('gives the same successor to the just-replaced token within the grace window: one lineage', () => {
    const first = start();
    const winner = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 1000);
    const retry = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 10_999);
    expect(retry).toMatchObject({ ok: true, sessionId: first.sessionId });
    if (!winner.ok || !retry.ok) return;
    expect(retry.refreshToken).toBe(winner.refreshToken);
    expect(retry.expiresAt).toBe(t0 + 610_999);
    const tokens = handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, first.sessionId)).all();
    expect(tokens).toHaveLength(2);
    expect(sessionRow(first.sessionId)?.revokedAt).toBeNull();
    expect(rotateRefreshToken(handle.db, lifetimes, winner.refreshToken, t0 + 12_000).ok).toBe(true);
  });

  it('revokes the family when a grandparent token comes back, even inside the grace window', () => {
    const first = start();
    const second = rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 1000);
    if (!second.ok) throw new Error('first rotation failed');
    expect(rotateRefreshToken(handle.db, lifetimes, second.refreshToken, t0 + 2000).ok).toBe(true);
    expect(rotateRefreshToken(handle.db, lifetimes, first.refreshToken, t0 + 3000)).toMatchObject({
      ok: false,
      reason: 'reused',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
  });

  it('derives successors no one can predict without the session secret', () => {
    const a = start();
    const b = start();
    const fromA = rotateRefreshToken(handle.db, lifetimes, a.refreshToken, t0 + 1);
    const fromB = rotateRefreshToken(handle.db, lifetimes, b.refreshToken, t0 + 1);
    if (!fromA.ok || !fromB.ok) throw new Error('rotation failed');
    expect(Buffer.from(fromA.refreshToken, 'base64url')).toHaveLength(32);
    expect(fromA.refreshToken).not.toBe(fromB.refreshToken);
    expect(fromA.refreshToken).not.toBe(hashRefreshToken(a.refreshToken));
  });

  it('refuses unknown tokens, idle-expired and absolutely expired sessions', () => {
    expect(rotateRefreshToken(handle.db, lifetimes, 'nope', t0)).toEqual({
      ok: false,
      reason: 'unknown',
      sessionId: null,
      userId: null,
    });
    const idle = start();
    expect(rotateRefreshToken(handle.db, lifetimes, idle.refreshToken, t0 + 600_000)).toMatchObject({
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
    expect(rotateRefreshToken(handle.db, lifetimes, current, t0 + 3_600_000)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('stops a revoked session from refreshing, and revokes only the owner’s session', () => {
    const { sessionId, refreshToken } = start();
    expect(revokeSession(handle.db, { sessionId, userId: 'someone-else', reason: 'logout' }, t0)).toBe(false);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(true);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(false);
    expect(rotateRefreshToken(handle.db, lifetimes, refreshToken, t0 + 1)).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });
});

describe('the sessions a user can see', () => {
  it('lists live sessions, most recently used first, and not revoked, expired or other users’ ones', () => {
    handle.db.insert(users).values({ id: 'u2', email: 'b@example.com', passwordHash: 'x', createdAt: t0 }).run();
    const older = start();
    const newer = startSession(handle.db, lifetimes, { userId: 'u1', userAgent: null }, t0 + 1000);
    const revoked = start();
    revokeSession(handle.db, { sessionId: revoked.sessionId, userId: 'u1', reason: 'logout' }, t0 + 1);
    startSession(handle.db, lifetimes, { userId: 'u2', userAgent: null }, t0);

    expect(listSessions(handle.db, 'u1', t0 + 2000)).toEqual([
      { id: newer.sessionId, createdAt: t0 + 1000, lastUsedAt: t0 + 1000, userAgent: null },
      { id: older.sessionId, createdAt: t0, lastUsedAt: t0, userAgent: 'Test/1.0' },
    ]);
    expect(listSessions(handle.db, 'u1', t0 + 600_000).map((s) => s.id)).toEqual([newer.sessionId]);
  });

  it('signs out everywhere', () => {
    const a = start();
    const b = start();
    const ended = revokeAllSessions(handle.db, { userId: 'u1', reason: 'logout_all' }, t0 + 1);
    expect(ended.toSorted()).toEqual([a.sessionId, b.sessionId].toSorted());
    expect(listSessions(handle.db, 'u1', t0 + 2)).toEqual([]);
    expect(revokeAllSessions(handle.db, { userId: 'u1', reason: 'logout_all' }, t0 + 2)).toEqual([]);
    expect(rotateRefreshToken(handle.db, lifetimes, a.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
    expect(rotateRefreshToken(handle.db, lifetimes, b.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
  });

  it('tells a live session from a revoked, an expired and someone else’s', () => {
    const live = start();
    const revoked = start();
    revokeSession(handle.db, { sessionId: revoked.sessionId, userId: 'u1', reason: 'logout' }, t0 + 1);
    expect(sessionStatus(handle.db, { sessionId: live.sessionId, userId: 'u1' }, t0 + 1)).toBe('live');
    expect(sessionStatus(handle.db, { sessionId: revoked.sessionId, userId: 'u1' }, t0 + 1)).toBe('revoked');
    expect(sessionStatus(handle.db, { sessionId: live.sessionId, userId: 'u1' }, t0 + 600_000)).toBe('expired');
    expect(sessionStatus(handle.db, { sessionId: live.sessionId, userId: 'u2' }, t0 + 1)).toBe('revoked');
    expect(sessionStatus(handle.db, { sessionId: 'no-such-session', userId: 'u1' }, t0 + 1)).toBe('revoked');
  });
});
