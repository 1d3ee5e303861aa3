import { createHmac } from 'node:crypto';
import { createDb, type DbHandle, passkeys, refreshTokens, sessions, users } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashRefreshToken } from '../tokens/refresh-token';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import { clientFingerprint } from './client-info';
import {
  endAllSessions,
  expireGraceSuccessors,
  listSessions,
  REPLACED_TOKENS_KEPT,
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

const box = createSecretBox({ key: generateSecretKey() });
/** The fingerprint of the client that signed in; another one is a different browser or network. */
const CLIENT = clientFingerprint({ userAgent: 'Test/1.0', ip: '203.0.113.1' });
const start = () =>
  startSession(
    handle.db,
    lifetimes,
    { userId: 'u1', userAgent: 'Test/1.0', credentialVersion: 0, method: 'password' },
    t0,
  );
const rotate = (presentedToken: string, at: number, client = CLIENT) =>
  rotateRefreshToken(handle.db, lifetimes, { presentedToken, client, box }, at);
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
    const second = rotate(first.refreshToken, t0 + 60_000);
    expect(second).toMatchObject({ ok: true, sessionId: first.sessionId, userId: 'u1', expiresAt: t0 + 660_000 });
    if (!second.ok) return;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(sessionRow(first.sessionId)?.lastUsedAt).toBe(t0 + 60_000);
    expect(rotate(second.refreshToken, t0 + 120_000).ok).toBe(true);
  });

  it('treats a token replayed after the grace window as theft and revokes the whole family', () => {
    const first = start();
    const second = rotate(first.refreshToken, t0 + 1000);
    expect(second.ok).toBe(true);
    expect(rotate(first.refreshToken, t0 + 11_000)).toEqual({
      ok: false,
      reason: 'reused',
      reuse: 'after_grace',
      sessionId: first.sessionId,
      userId: 'u1',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
    if (!second.ok) return;
    expect(rotate(second.refreshToken, t0 + 12_000)).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });

  it('gives the same successor to the just-replaced token within the grace window: one lineage', () => {
    const first = start();
    const winner = rotate(first.refreshToken, t0 + 1000);
    const retry = rotate(first.refreshToken, t0 + 10_999);
    expect(retry).toMatchObject({ ok: true, graceRetry: true, sessionId: first.sessionId });
    expect(winner).toMatchObject({ ok: true, graceRetry: false });
    if (!winner.ok || !retry.ok) return;
    expect(retry.refreshToken).toBe(winner.refreshToken);
    expect(retry.expiresAt).toBe(t0 + 610_999);
    const tokens = handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, first.sessionId)).all();
    expect(tokens).toHaveLength(2);
    expect(sessionRow(first.sessionId)?.revokedAt).toBeNull();
    expect(rotate(winner.refreshToken, t0 + 12_000).ok).toBe(true);
  });

  it('revokes the family when a grandparent token comes back, even inside the grace window', () => {
    const first = start();
    const second = rotate(first.refreshToken, t0 + 1000);
    if (!second.ok) throw new Error('first rotation failed');
    expect(rotate(second.refreshToken, t0 + 2000).ok).toBe(true);
    expect(rotate(first.refreshToken, t0 + 3000)).toMatchObject({
      ok: false,
      reason: 'reused',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
  });

  it('makes random successors: unrelated across sessions, and not derived from their predecessor', () => {
    const a = start();
    const b = start();
    const fromA = rotate(a.refreshToken, t0 + 1);
    const fromB = rotate(b.refreshToken, t0 + 1);
    if (!fromA.ok || !fromB.ok) throw new Error('rotation failed');
    expect(Buffer.from(fromA.refreshToken, 'base64url')).toHaveLength(32);
    expect(fromA.refreshToken).not.toBe(fromB.refreshToken);
    expect(fromA.refreshToken).not.toBe(hashRefreshToken(a.refreshToken));
  });

  /** @see issue 8, finding 2: an old token plus a database copy walked the chain forward. */
  it('gives a holder of an old token and a copy of the database no way to the live token', () => {
    const first = start();
    let live = first.refreshToken;
    for (let i = 1; i <= 3; i++) {
      const next = rotate(live, t0 + i * 60_000);
      if (!next.ok) throw new Error('rotation failed');
      live = next.refreshToken;
    }
    expireGraceSuccessors(handle.db, t0 + 4 * 60_000 - 10_000);
    const liveHash = hashRefreshToken(live);
    // The attack that worked before: HMAC the old token under every secret the database holds.
    const stored = ['sessions', 'refresh_tokens'].flatMap((table) =>
      handle.db.$client.prepare(`select * from ${table}`).raw().all(),
    );
    const texts = (stored as unknown[][]).flat().filter((value): value is string => typeof value === 'string');
    for (const secret of texts) {
      let walked = first.refreshToken;
      for (let step = 0; step < 3; step++) walked = createHmac('sha256', secret).update(walked).digest('base64url');
      expect(hashRefreshToken(walked)).not.toBe(liveHash);
    }
    expect(texts.join('\n')).not.toContain(live);
    expect(handle.db.select({ sealed: refreshTokens.successorSealed }).from(refreshTokens).all()).toEqual(
      expect.not.arrayContaining([{ sealed: expect.any(String) }]),
    );
  });

  /** @see issue 8, finding 3: grace replays from anywhere returned the live successor. */
  it('honours a grace retry only from the client that made the exchange; from anyone else it is reuse', () => {
    const first = start();
    expect(rotate(first.refreshToken, t0 + 1000).ok).toBe(true);
    const elsewhere = clientFingerprint({ userAgent: 'curl/8.0', ip: '198.51.100.9' });
    expect(rotate(first.refreshToken, t0 + 2000, elsewhere)).toMatchObject({
      ok: false,
      reason: 'reused',
      reuse: 'other_client',
    });
    expect(sessionRow(first.sessionId)?.revokedReason).toBe('reuse_detected');
  });

  it('counts the grace retries it honours', () => {
    const first = start();
    rotate(first.refreshToken, t0 + 1000);
    rotate(first.refreshToken, t0 + 2000);
    rotate(first.refreshToken, t0 + 3000);
    const row = handle.db
      .select({ graceHits: refreshTokens.graceHits })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(first.refreshToken)))
      .get();
    expect(row?.graceHits).toBe(2);
  });

  it('keeps the sealed successor only for the grace window', () => {
    const first = start();
    rotate(first.refreshToken, t0 + 1000);
    const pending = () =>
      handle.db
        .select({ sealed: refreshTokens.successorSealed })
        .from(refreshTokens)
        .all()
        .filter((row) => row.sealed !== null);
    expect(pending()).toHaveLength(1);
    expect(expireGraceSuccessors(handle.db, t0 + 10_999 - 10_000)).toBe(0);
    expect(expireGraceSuccessors(handle.db, t0 + 11_001 - 10_000)).toBe(1);
    expect(pending()).toHaveLength(0);
    expect(rotate(first.refreshToken, t0 + 11_002)).toMatchObject({ ok: false, reason: 'reused' });
  });

  /** @see issue 8, finding 9: 500 refreshes of one session added 500 rows. */
  it(`keeps at most ${REPLACED_TOKENS_KEPT} replaced tokens per session, however often it refreshes`, () => {
    const first = start();
    let current = first.refreshToken;
    const issued = [current];
    for (let i = 1; i <= 500; i++) {
      const next = rotate(current, t0 + i * 100);
      if (!next.ok) throw new Error(`refresh ${i} failed`);
      current = next.refreshToken;
      issued.push(current);
    }
    const rows = handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, first.sessionId)).all();
    expect(rows).toHaveLength(REPLACED_TOKENS_KEPT + 1);
    // A recent replay is still caught; a very old one is merely unknown.
    expect(rotate(issued[0] ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(rotate(issued[480] ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'reused' });
  });

  it('refuses unknown tokens, idle-expired and absolutely expired sessions', () => {
    expect(rotate('nope', t0)).toEqual({
      ok: false,
      reason: 'unknown',
      sessionId: null,
      userId: null,
    });
    const idle = start();
    expect(rotate(idle.refreshToken, t0 + 600_000)).toMatchObject({
      ok: false,
      reason: 'expired',
    });

    let current = start().refreshToken;
    for (let minute = 9; minute < 60; minute += 9) {
      const next = rotate(current, t0 + minute * 60_000);
      if (!next.ok) throw new Error(`refresh at minute ${minute} failed: ${next.reason}`);
      expect(next.expiresAt).toBeLessThanOrEqual(t0 + 3_600_000);
      current = next.refreshToken;
    }
    expect(rotate(current, t0 + 3_600_000)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('stops a revoked session from refreshing, and revokes only the owner’s session', () => {
    const { sessionId, refreshToken } = start();
    expect(revokeSession(handle.db, { sessionId, userId: 'someone-else', reason: 'logout' }, t0)).toBe(false);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(true);
    expect(revokeSession(handle.db, { sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(false);
    expect(rotate(refreshToken, t0 + 1)).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });
});

describe('the sessions a user can see', () => {
  it('lists live sessions, most recently used first, and not revoked, expired or other users’ ones', () => {
    handle.db.insert(users).values({ id: 'u2', email: 'b@example.com', passwordHash: 'x', createdAt: t0 }).run();
    const older = start();
    const newer = startSession(
      handle.db,
      lifetimes,
      { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
      t0 + 1000,
    );
    const revoked = start();
    revokeSession(handle.db, { sessionId: revoked.sessionId, userId: 'u1', reason: 'logout' }, t0 + 1);
    startSession(handle.db, lifetimes, { userId: 'u2', userAgent: null, credentialVersion: 0, method: 'password' }, t0);

    expect(listSessions(handle.db, 'u1', t0 + 2000)).toEqual([
      { id: newer.sessionId, createdAt: t0 + 1000, lastUsedAt: t0 + 1000, userAgent: null },
      { id: older.sessionId, createdAt: t0, lastUsedAt: t0, userAgent: 'Test/1.0' },
    ]);
    expect(listSessions(handle.db, 'u1', t0 + 600_000).map((s) => s.id)).toEqual([newer.sessionId]);
  });

  it('signs out everywhere, moving the security stamp on', () => {
    const a = start();
    const b = start();
    const changed = endAllSessions(handle.db, { userId: 'u1', reason: 'logout_all' }, t0 + 1);
    expect(changed?.endedSessionIds.toSorted()).toEqual([a.sessionId, b.sessionId].toSorted());
    expect(changed?.credentialVersion).toBe(1);
    expect(listSessions(handle.db, 'u1', t0 + 2)).toEqual([]);
    expect(endAllSessions(handle.db, { userId: 'u1', reason: 'logout_all' }, t0 + 2)?.endedSessionIds).toEqual([]);
    expect(rotate(a.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
    expect(rotate(b.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
    expect(endAllSessions(handle.db, { userId: 'nobody', reason: 'logout_all' }, t0 + 3)).toBeNull();
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

/** @see issue 20, finding 1: a sign-in in flight outlived a reset, a password change and a demotion. */
describe('the security stamp', () => {
  const startWith = (credentialVersion: number) =>
    startSession(handle.db, lifetimes, { userId: 'u1', userAgent: null, credentialVersion, method: 'password' }, t0);

  it('refuses a session for a credential read before the stamp moved, and carries the role stored now', () => {
    const changed = endAllSessions(handle.db, { userId: 'u1', reason: 'role_changed', role: 'admin' }, t0);
    expect(changed?.user.role).toBe('admin');
    expect(() => startWith(0)).toThrow(expect.objectContaining({ code: 'INVALID_CREDENTIALS' }));
    expect(listSessions(handle.db, 'u1', t0)).toEqual([]);
    expect(startWith(1).user).toMatchObject({ id: 'u1', role: 'admin' });
  });

  it('changes the password only from the stamp expected, and removes the passkeys when asked', () => {
    handle.db
      .insert(passkeys)
      .values({
        id: 'p1',
        userId: 'u1',
        credentialId: 'c1',
        publicKey: 'k',
        counter: 0,
        deviceType: 'singleDevice',
        backedUp: false,
        name: 'Key',
        createdAt: t0,
      })
      .run();
    const stale = { userId: 'u1', reason: 'password_changed', passwordHash: 'new', expectedVersion: 7 };
    expect(endAllSessions(handle.db, stale, t0)).toBeNull();
    expect(handle.db.select().from(users).get()).toMatchObject({ passwordHash: 'x', credentialVersion: 0 });

    const reset = { userId: 'u1', reason: 'password_reset', passwordHash: 'new', removePasskeys: true };
    expect(endAllSessions(handle.db, { ...reset, expectedVersion: 0 }, t0)?.credentialVersion).toBe(1);
    expect(handle.db.select().from(users).get()).toMatchObject({ passwordHash: 'new', credentialVersion: 1 });
    expect(handle.db.select().from(passkeys).all()).toEqual([]);
  });
});
