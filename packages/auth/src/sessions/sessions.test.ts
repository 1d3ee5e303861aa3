import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEngines, type OpenStore, testEngines } from '../engines/testing';
import type { AuthStore } from '../store/store';
import { hashRefreshToken } from '../tokens/refresh-token';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import { clientFingerprint } from './client-info';
import { REPLACED_TOKENS_KEPT, type SessionLifetimes } from './sessions';

const lifetimes: SessionLifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
const t0 = Date.UTC(2026, 0, 1);
const box = createSecretBox({ key: generateSecretKey() });
/** The fingerprint of the client that signed in; another one is a different browser or network. */
const CLIENT = clientFingerprint({ userAgent: 'Test/1.0', ip: '203.0.113.1' });

describeEngines('sessions', testEngines(), (current) => {
  let db: OpenStore;
  let store: AuthStore;
  beforeEach(async () => {
    db = current();
    store = db.store;
    await addUser('u1', 'a@example.com');
  });

  const addUser = (id: string, email: string) =>
    db.rows('insert into users (id, email, password_hash, created_at) values (?, ?, ?, ?)', id, email, 'x', t0);
  const start = (at = t0, userAgent: string | null = 'Test/1.0', userId = 'u1') =>
    store.startSession(lifetimes, { userId, userAgent, credentialVersion: 0, method: 'password', dpopJkt: null }, at);
  const rotate = (presentedToken: string, at: number, client = CLIENT) =>
    store.rotateRefreshToken(lifetimes, { presentedToken, client, box, dpopJkt: null, requireBinding: false }, at);
  const sessionRow = async (id: string) =>
    (await db.rows('select last_used_at, revoked_at, revoked_reason from sessions where id = ?', id))[0];
  const tokensOf = (sessionId: string) =>
    db.rows('select token_hash, successor_sealed, grace_hits from refresh_tokens where session_id = ?', sessionId);
  const userRow = async () => (await db.rows('select password_hash, credential_version from users'))[0];

  describe('sessions bound to a device key (DPoP)', () => {
    const startBound = (dpopJkt: string | null) =>
      store.startSession(
        lifetimes,
        { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password', dpopJkt },
        t0,
      );
    const rotateWith = (presentedToken: string, at: number, dpopJkt: string | null, requireBinding = false) =>
      store.rotateRefreshToken(lifetimes, { presentedToken, client: CLIENT, box, dpopJkt, requireBinding }, at);

    it('rotates a bound session only with a proof of its key, and a refusal ends nothing, not even for a replaced token', async () => {
      const first = await startBound('key-A');
      expect(first.dpopJkt).toBe('key-A');
      expect(await rotateWith(first.refreshToken, t0 + 1000, null)).toMatchObject({ ok: false, reason: 'wrong_key' });
      expect(await rotateWith(first.refreshToken, t0 + 1000, 'key-B')).toMatchObject({
        ok: false,
        reason: 'wrong_key',
      });
      const second = await rotateWith(first.refreshToken, t0 + 2000, 'key-A');
      expect(second).toMatchObject({ ok: true, dpopJkt: 'key-A' });
      // The replaced token, after the grace window, from another key: a thief's, refused before
      // reuse detection, so it cannot end the owner's session either.
      expect(await rotateWith(first.refreshToken, t0 + 60_000, 'key-B')).toMatchObject({
        ok: false,
        reason: 'wrong_key',
      });
      expect((await sessionRow(first.sessionId))?.revoked_at).toBeNull();
      if (second.ok) expect((await rotateWith(second.refreshToken, t0 + 61_000, 'key-A')).ok).toBe(true);
    });

    it('keeps a Bearer session unbound whatever key comes later, and DPOP=required refuses it without ending it', async () => {
      const first = await startBound(null);
      const second = await rotateWith(first.refreshToken, t0 + 1000, 'key-A');
      expect(second).toMatchObject({ ok: true, dpopJkt: null });
      if (!second.ok) return;
      expect(await rotateWith(second.refreshToken, t0 + 2000, 'key-A', true)).toMatchObject({
        ok: false,
        reason: 'unbound',
      });
      expect((await sessionRow(first.sessionId))?.revoked_at).toBeNull();
    });
  });

  describe('refresh-token rotation', () => {
    it('stores only the hash of a 256-bit token', async () => {
      const { refreshToken, sessionId } = await start();
      expect(Buffer.from(refreshToken, 'base64url')).toHaveLength(32);
      const stored = await db.rows('select * from refresh_tokens where session_id = ?', sessionId);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.token_hash).toBe(hashRefreshToken(refreshToken));
      expect(JSON.stringify(stored)).not.toContain(refreshToken);
    });

    it('exchanges a token for a new one and slides the idle expiry', async () => {
      const first = await start();
      const second = await rotate(first.refreshToken, t0 + 60_000);
      expect(second).toMatchObject({ ok: true, sessionId: first.sessionId, userId: 'u1', expiresAt: t0 + 660_000 });
      if (!second.ok) return;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect((await sessionRow(first.sessionId))?.last_used_at).toBe(t0 + 60_000);
      expect((await rotate(second.refreshToken, t0 + 120_000)).ok).toBe(true);
    });

    it('treats a token replayed after the grace window as theft and revokes the whole family', async () => {
      const first = await start();
      const second = await rotate(first.refreshToken, t0 + 1000);
      expect(second.ok).toBe(true);
      expect(await rotate(first.refreshToken, t0 + 11_000)).toEqual({
        ok: false,
        reason: 'reused',
        reuse: 'after_grace',
        sessionId: first.sessionId,
        userId: 'u1',
      });
      expect((await sessionRow(first.sessionId))?.revoked_reason).toBe('reuse_detected');
      if (!second.ok) return;
      expect(await rotate(second.refreshToken, t0 + 12_000)).toMatchObject({ ok: false, reason: 'revoked' });
    });

    it('gives the same successor to the just-replaced token within the grace window: one lineage', async () => {
      const first = await start();
      const winner = await rotate(first.refreshToken, t0 + 1000);
      const retry = await rotate(first.refreshToken, t0 + 10_999);
      expect(retry).toMatchObject({ ok: true, graceRetry: true, sessionId: first.sessionId });
      expect(winner).toMatchObject({ ok: true, graceRetry: false });
      if (!winner.ok || !retry.ok) return;
      expect(retry.refreshToken).toBe(winner.refreshToken);
      expect(retry.expiresAt).toBe(t0 + 610_999);
      expect(await tokensOf(first.sessionId)).toHaveLength(2);
      expect((await sessionRow(first.sessionId))?.revoked_at).toBeNull();
      expect((await rotate(winner.refreshToken, t0 + 12_000)).ok).toBe(true);
    });

    it('gives every one of many concurrent exchanges of one token the same successor', async () => {
      const first = await start();
      const results = await Promise.all(Array.from({ length: 20 }, () => rotate(first.refreshToken, t0 + 1000)));
      const successors = new Set(results.map((result) => (result.ok ? result.refreshToken : result.reason)));
      expect(successors.size).toBe(1);
      expect(results.filter((result) => result.ok && !result.graceRetry)).toHaveLength(1);
      expect(await tokensOf(first.sessionId)).toHaveLength(2);
    });

    it('revokes the family when a grandparent token comes back, even inside the grace window', async () => {
      const first = await start();
      const second = await rotate(first.refreshToken, t0 + 1000);
      if (!second.ok) throw new Error('first rotation failed');
      expect((await rotate(second.refreshToken, t0 + 2000)).ok).toBe(true);
      expect(await rotate(first.refreshToken, t0 + 3000)).toMatchObject({ ok: false, reason: 'reused' });
      expect((await sessionRow(first.sessionId))?.revoked_reason).toBe('reuse_detected');
    });

    it('makes random successors: unrelated across sessions, and not derived from their predecessor', async () => {
      const a = await start();
      const b = await start();
      const fromA = await rotate(a.refreshToken, t0 + 1);
      const fromB = await rotate(b.refreshToken, t0 + 1);
      if (!fromA.ok || !fromB.ok) throw new Error('rotation failed');
      expect(Buffer.from(fromA.refreshToken, 'base64url')).toHaveLength(32);
      expect(fromA.refreshToken).not.toBe(fromB.refreshToken);
      expect(fromA.refreshToken).not.toBe(hashRefreshToken(a.refreshToken));
    });

    /** @see issue 8, finding 2: an old token plus a database copy walked the chain forward. */
    it('gives a holder of an old token and a copy of the database no way to the live token', async () => {
      const first = await start();
      let live = first.refreshToken;
      for (let i = 1; i <= 3; i++) {
        const next = await rotate(live, t0 + i * 60_000);
        if (!next.ok) throw new Error('rotation failed');
        live = next.refreshToken;
      }
      await db.background.expireGraceSuccessors(t0 + 4 * 60_000 - 10_000);
      const liveHash = hashRefreshToken(live);
      // The attack that worked before: HMAC the old token under every secret the database holds.
      const stored = [...(await db.rows('select * from sessions')), ...(await db.rows('select * from refresh_tokens'))];
      const texts = stored.flatMap(Object.values).filter((value): value is string => typeof value === 'string');
      for (const secret of texts) {
        let walked = first.refreshToken;
        for (let step = 0; step < 3; step++) walked = createHmac('sha256', secret).update(walked).digest('base64url');
        expect(hashRefreshToken(walked)).not.toBe(liveHash);
      }
      expect(texts.join('\n')).not.toContain(live);
      expect(await db.rows('select 1 from refresh_tokens where successor_sealed is not null')).toEqual([]);
    });

    /** @see issue 8, finding 3: grace replays from anywhere returned the live successor. */
    it('honours a grace retry only from the client that made the exchange; from anyone else it is reuse', async () => {
      const first = await start();
      expect((await rotate(first.refreshToken, t0 + 1000)).ok).toBe(true);
      const elsewhere = clientFingerprint({ userAgent: 'curl/8.0', ip: '198.51.100.9' });
      expect(await rotate(first.refreshToken, t0 + 2000, elsewhere)).toMatchObject({
        ok: false,
        reason: 'reused',
        reuse: 'other_client',
      });
      expect((await sessionRow(first.sessionId))?.revoked_reason).toBe('reuse_detected');
    });

    it('counts the grace retries it honours', async () => {
      const first = await start();
      await rotate(first.refreshToken, t0 + 1000);
      await rotate(first.refreshToken, t0 + 2000);
      await rotate(first.refreshToken, t0 + 3000);
      const rows = await db.rows(
        'select grace_hits from refresh_tokens where token_hash = ?',
        hashRefreshToken(first.refreshToken),
      );
      expect(rows).toEqual([{ grace_hits: 2 }]);
    });

    it('keeps the sealed successor only for the grace window', async () => {
      const first = await start();
      await rotate(first.refreshToken, t0 + 1000);
      const pending = async () => (await tokensOf(first.sessionId)).filter((row) => row.successor_sealed !== null);
      expect(await pending()).toHaveLength(1);
      expect(await db.background.expireGraceSuccessors(t0 + 10_999 - 10_000)).toBe(0);
      expect(await db.background.expireGraceSuccessors(t0 + 11_001 - 10_000)).toBe(1);
      expect(await pending()).toHaveLength(0);
      expect(await rotate(first.refreshToken, t0 + 11_002)).toMatchObject({ ok: false, reason: 'reused' });
    });

    /** @see issue 8, finding 9: 500 refreshes of one session added 500 rows. */
    it(`keeps at most ${REPLACED_TOKENS_KEPT} replaced tokens per session, however often it refreshes`, async () => {
      const first = await start();
      let current = first.refreshToken;
      const issued = [current];
      for (let i = 1; i <= 3 * REPLACED_TOKENS_KEPT; i++) {
        const next = await rotate(current, t0 + i * 100);
        if (!next.ok) throw new Error(`refresh ${i} failed`);
        current = next.refreshToken;
        issued.push(current);
      }
      expect(await tokensOf(first.sessionId)).toHaveLength(REPLACED_TOKENS_KEPT + 1);
      // A recent replay is still caught; a very old one is merely unknown.
      expect(await rotate(issued[0] ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'unknown' });
      expect(await rotate(issued.at(-20) ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'reused' });
    }, 30_000);

    it('refuses unknown tokens, idle-expired and absolutely expired sessions', async () => {
      expect(await rotate('nope', t0)).toEqual({ ok: false, reason: 'unknown', sessionId: null, userId: null });
      const idle = await start();
      expect(await rotate(idle.refreshToken, t0 + 600_000)).toMatchObject({ ok: false, reason: 'expired' });

      let current = (await start()).refreshToken;
      for (let minute = 9; minute < 60; minute += 9) {
        const next = await rotate(current, t0 + minute * 60_000);
        if (!next.ok) throw new Error(`refresh at minute ${minute} failed: ${next.reason}`);
        expect(next.expiresAt).toBeLessThanOrEqual(t0 + 3_600_000);
        current = next.refreshToken;
      }
      expect(await rotate(current, t0 + 3_600_000)).toMatchObject({ ok: false, reason: 'expired' });
    });

    it('stops a revoked session from refreshing, and revokes only the owner’s session', async () => {
      const { sessionId, refreshToken } = await start();
      expect(await store.revokeSession({ sessionId, userId: 'someone-else', reason: 'logout' }, t0)).toBe(false);
      expect(await store.revokeSession({ sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(true);
      expect(await store.revokeSession({ sessionId, userId: 'u1', reason: 'logout' }, t0)).toBe(false);
      expect(await rotate(refreshToken, t0 + 1)).toMatchObject({ ok: false, reason: 'revoked' });
    });
  });

  describe('the sessions a user can see', () => {
    it('lists live sessions, most recently used first, and not revoked, expired or other users’ ones', async () => {
      await addUser('u2', 'b@example.com');
      const older = await start();
      const newer = await start(t0 + 1000, null);
      const revoked = await start();
      await store.revokeSession({ sessionId: revoked.sessionId, userId: 'u1', reason: 'logout' }, t0 + 1);
      await start(t0, null, 'u2');

      expect(await store.listSessions('u1', t0 + 2000)).toEqual([
        { id: newer.sessionId, createdAt: t0 + 1000, lastUsedAt: t0 + 1000, userAgent: null },
        { id: older.sessionId, createdAt: t0, lastUsedAt: t0, userAgent: 'Test/1.0' },
      ]);
      expect((await store.listSessions('u1', t0 + 600_000)).map((s) => s.id)).toEqual([newer.sessionId]);
    });

    it('signs out everywhere, moving the security stamp on', async () => {
      const a = await start();
      const b = await start();
      const changed = await store.endAllSessions({ userId: 'u1', reason: 'logout_all' }, t0 + 1);
      expect(changed?.endedSessionIds.toSorted()).toEqual([a.sessionId, b.sessionId].toSorted());
      expect(changed?.credentialVersion).toBe(1);
      expect(await store.listSessions('u1', t0 + 2)).toEqual([]);
      const again = await store.endAllSessions({ userId: 'u1', reason: 'logout_all' }, t0 + 2);
      expect(again?.endedSessionIds).toEqual([]);
      expect(await rotate(a.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
      expect(await rotate(b.refreshToken, t0 + 3)).toMatchObject({ reason: 'revoked' });
      expect(await store.endAllSessions({ userId: 'nobody', reason: 'logout_all' }, t0 + 3)).toBeNull();
    });

    it('tells a live session from a revoked, an expired and someone else’s', async () => {
      const live = await start();
      const revoked = await start();
      await store.revokeSession({ sessionId: revoked.sessionId, userId: 'u1', reason: 'logout' }, t0 + 1);
      const status = (sessionId: string, userId: string, at: number) => store.sessionStatus({ sessionId, userId }, at);
      expect(await status(live.sessionId, 'u1', t0 + 1)).toBe('live');
      expect(await status(revoked.sessionId, 'u1', t0 + 1)).toBe('revoked');
      expect(await status(live.sessionId, 'u1', t0 + 600_000)).toBe('expired');
      expect(await status(live.sessionId, 'u2', t0 + 1)).toBe('revoked');
      expect(await status('no-such-session', 'u1', t0 + 1)).toBe('revoked');
    });
  });

  /** @see issue 20, finding 1: a sign-in in flight outlived a reset, a password change and a demotion. */
  describe('the security stamp', () => {
    const startWith = (credentialVersion: number) =>
      store.startSession(
        lifetimes,
        { userId: 'u1', userAgent: null, credentialVersion, method: 'password', dpopJkt: null },
        t0,
      );

    it('refuses a session for a credential read before the stamp moved, and carries the role stored now', async () => {
      const changed = await store.endAllSessions({ userId: 'u1', reason: 'role_changed', role: 'admin' }, t0);
      expect(changed?.user.role).toBe('admin');
      await expect(startWith(0)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(await store.listSessions('u1', t0)).toEqual([]);
      expect((await startWith(1)).user).toMatchObject({ id: 'u1', role: 'admin' });
    });

    it('changes the password only from the stamp expected, and removes the passkeys when asked', async () => {
      const { sessionId } = await start();
      const passkey = {
        id: 'p1',
        userId: 'u1',
        credentialId: 'c1',
        publicKey: 'k',
        counter: 0,
        transports: [],
        deviceType: 'singleDevice' as const,
        backedUp: false,
        name: 'Key',
      };
      expect(await store.insertPasskey(passkey, 20, t0, sessionId)).toBe('inserted');
      const stale = { userId: 'u1', reason: 'password_changed', passwordHash: 'new', expectedVersion: 7 };
      expect(await store.endAllSessions(stale, t0)).toBeNull();
      expect(await userRow()).toEqual({ password_hash: 'x', credential_version: 0 });

      const reset = { userId: 'u1', reason: 'password_reset', passwordHash: 'new', removePasskeys: true };
      const changed = await store.endAllSessions({ ...reset, expectedVersion: 0 }, t0);
      expect(changed).toMatchObject({ credentialVersion: 1, removedPasskeys: 1, endedSessionIds: [sessionId] });
      expect(await userRow()).toEqual({ password_hash: 'new', credential_version: 1 });
      expect(await store.listPasskeys('u1')).toEqual([]);
    });

    it('records a fresh proof in a live session only while the stamp is the one read', async () => {
      const { sessionId, refreshToken } = await start();
      const proof = { sessionId, userId: 'u1', credentialVersion: 0, method: 'passkey' as const };
      expect(await store.recordProof(proof, t0 + 5)).toBe(true);
      const refreshed = await rotate(refreshToken, t0 + 6);
      expect(refreshed).toMatchObject({ ok: true, proof: { authTime: t0 + 5, method: 'passkey' } });
      expect(await store.recordProof({ ...proof, sessionId: 'no-such-session' }, t0 + 7)).toBe(false);
      expect(await store.recordProof({ ...proof, credentialVersion: 1 }, t0 + 7)).toBe(false);
      expect(await store.recordProof(proof, t0 + 600_006)).toBe(false);
      await store.endAllSessions({ userId: 'u1', reason: 'logout_all' }, t0 + 8);
      expect(await store.recordProof({ ...proof, credentialVersion: 1 }, t0 + 9)).toBe(false);
    });
  });
});
