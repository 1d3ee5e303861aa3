import { RateLimiterRes } from 'rate-limiter-flexible';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEngines, type OpenStore, storeEngines } from '../engines/testing';
import type { ProvenIdentity } from '../identities/identities';
import {
  AuthError,
  createSecretBox,
  ENDED_SESSION_RETENTION_MS,
  generateSecretKey,
  RECENT_EVENTS_LIMIT,
  REPLACED_TOKENS_KEPT,
  type User,
} from '../index';
import { PRUNE_BATCH_SIZE } from '../revocation/housekeeping';
import type { AuthStore, NewSigningKey } from './store';

/**
 * The store conformance suite: every method of the port (AuthStore, SigningKeyStore, BackgroundDb)
 * against its documented contract, on every engine as a server runs it, each test on an empty
 * database. Written against the port only (one case also reads a row, for what the port cannot
 * show), so it holds whatever an engine does underneath. The
 * concurrent cases start their calls together (Promise.all): on PostgreSQL they hold transactions
 * at once; on SQLite the worker's connection races the store's.
 */

type SessionLifetimes = Parameters<AuthStore['startSession']>[0];
type SessionSubject = Parameters<AuthStore['startSession']>[1];
type NewEmailToken = Parameters<AuthStore['issueEmailToken']>[0];
type NewPasskey = Parameters<AuthStore['insertPasskey']>[0];

const t0 = Date.UTC(2026, 0, 1);
const SECOND = 1_000;
const DAY = 24 * 3600 * SECOND;
const lifetimes: SessionLifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
const box = createSecretBox({ key: generateSecretKey() });

type SessionIds = { sessionId: string; userId: string };
/** A rotation refused for `session`'s token. */
const refused = ({ sessionId, userId }: SessionIds, reason: 'expired' | 'revoked') => ({
  ok: false,
  reason,
  sessionId,
  userId,
});
/** A rotation refused as a replay, which ends `session`. */
const reused = ({ sessionId, userId }: SessionIds, reuse: 'after_grace' | 'other_client' | 'not_latest') => ({
  ok: false,
  reason: 'reused',
  reuse,
  sessionId,
  userId,
});

/** What calls made at once (Promise.allSettled) resolved to, and what they were refused with. */
const fulfilled = <T>(results: PromiseSettledResult<T>[]): T[] =>
  results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
const rejected = <T>(results: PromiseSettledResult<T>[]): unknown[] =>
  results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));

describeEngines('the auth store', storeEngines, (current) => {
  let opened: OpenStore;
  let store: AuthStore;
  beforeEach(() => {
    opened = current();
    store = opened.store;
  });

  let users = 0;
  const user = (options: { email?: string; passwordHash?: string; at?: number } = {}): Promise<User> =>
    store.insertUser(
      {
        email: options.email ?? `user${++users}@example.com`,
        name: null,
        passwordHash: options.passwordHash ?? 'hash',
      },
      options.at ?? t0,
    );
  const start = (userId: string, at = t0, subject: Partial<SessionSubject> = {}, times = lifetimes) =>
    store.startSession(
      times,
      { userId, userAgent: 'Test/1.0', credentialVersion: 0, method: 'password', dpopJkt: null, ...subject },
      at,
    );
  const rotate = (presentedToken: string, at: number, client = 'client-a', times = lifetimes) =>
    store.rotateRefreshToken(times, { presentedToken, client, box, dpopJkt: null, requireBinding: false }, at);
  const status = (session: SessionIds, at: number) =>
    store.sessionStatus({ sessionId: session.sessionId, userId: session.userId }, at);

  let passkeys = 0;
  const passkey = (id: string, userId: string, overrides: Partial<NewPasskey> = {}): NewPasskey => ({
    id,
    userId,
    credentialId: `credential-${id}-${++passkeys}`,
    publicKey: `public-key-${id}`,
    counter: 0,
    transports: [],
    deviceType: 'singleDevice',
    backedUp: false,
    name: `Key ${id}`,
    ...overrides,
  });

  describe('accounts', () => {
    it('inserts a user and finds it by id, by email, and its credential; null for nobody', async () => {
      const ada = await store.insertUser({ email: 'ada@example.com', name: 'Ada', passwordHash: 'hash-1' }, t0);
      expect(ada).toEqual({
        id: expect.any(String),
        email: 'ada@example.com',
        name: 'Ada',
        role: 'user',
        emailVerified: false,
        twoFactorEnabled: false,
      });
      expect(await store.findUserById(ada.id)).toEqual(ada);
      expect(await store.findUserByEmail('ada@example.com')).toEqual({
        ...ada,
        passwordHash: 'hash-1',
        credentialVersion: 0,
      });
      expect(await store.findCredential(ada.id)).toEqual({ passwordHash: 'hash-1', credentialVersion: 0 });
      expect(await store.findUserById('nobody')).toBeNull();
      expect(await store.findUserByEmail('nobody@example.com')).toBeNull();
      expect(await store.findCredential('nobody')).toBeNull();
    });

    it('refuses a second account on an email with EMAIL_TAKEN, also when both arrive at once', async () => {
      await user({ email: 'ada@example.com' });
      await expect(user({ email: 'ada@example.com' })).rejects.toEqual(new AuthError('EMAIL_TAKEN'));

      const results = await Promise.allSettled([
        user({ email: 'bob@example.com' }),
        user({ email: 'bob@example.com' }),
      ]);
      expect(fulfilled(results)).toHaveLength(1);
      expect(rejected(results)).toEqual([new AuthError('EMAIL_TAKEN')]);
      expect(rejected(results)[0]).toBeInstanceOf(AuthError);
    });

    it('marks an address verified, once and for all, and leaves other users alone', async () => {
      const ada = await user();
      const bob = await user();
      await store.markEmailVerified(ada.id, t0 + 1);
      await store.markEmailVerified(ada.id, t0 + 2);
      await store.markEmailVerified('nobody', t0 + 2);
      expect(await store.findUserById(ada.id)).toEqual({ ...ada, emailVerified: true });
      expect(await store.findUserByEmail(ada.email)).toMatchObject({ emailVerified: true });
      expect(await store.findUserById(bob.id)).toEqual(bob);
    });

    it('lists every account newest first, a page at a time, with its live sessions and last activity', async () => {
      const first = await user({ at: t0 });
      const tiedA = await user({ at: t0 + 1 });
      const tiedB = await user({ at: t0 + 1 });
      const fourth = await user({ at: t0 + 2 });
      const newest = await user({ at: t0 + 3 });
      const [tiedHigh, tiedLow] = tiedA.id > tiedB.id ? [tiedA, tiedB] : [tiedB, tiedA];

      // Newest: two live sessions (one used since), one revoked later, one of its own expired.
      const used = await start(newest.id, t0 + 100_000);
      await start(newest.id, t0 + 110_000);
      const revoked = await start(newest.id, t0 + 200_000);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: newest.id, reason: 'logout' }, t0 + 200_001);
      expect((await rotate(used.refreshToken, t0 + 150_000)).ok).toBe(true);
      // Fourth: its only session idle-expired by the time of the listing.
      await start(fourth.id, t0);
      await store.endAllSessions({ userId: first.id, reason: 'role_changed', role: 'admin' }, t0);
      // First: no session at all, but its activity says when it was last seen.
      const client = { userAgent: null, ip: '203.0.113.7' };
      await store.recordEvent({ userId: first.id, type: 'password_changed', sessionId: null, client }, t0 + 300_000);

      const now = t0 + 650_000;
      // The list says who has two-step verification.
      await store.setUnconfirmedTotpSecret(fourth.id, 'secret');
      await store.confirmTotp({ userId: fourth.id, secretSealed: 'secret', step: 1 }, [], t0);
      const page1 = await store.listUsers({ limit: 2, after: null }, now);
      expect(page1).toEqual({
        items: [
          {
            id: newest.id,
            email: newest.email,
            role: 'user',
            createdAt: t0 + 3,
            // Its revoked session was the last one used: ended sessions count for "last active".
            lastActiveAt: t0 + 200_000,
            sessions: 2,
            twoFactorEnabled: false,
          },
          {
            id: fourth.id,
            email: fourth.email,
            role: 'user',
            createdAt: t0 + 2,
            // Its only session expired, but it was used: "0 sessions", not "never active".
            lastActiveAt: t0,
            sessions: 0,
            twoFactorEnabled: true,
          },
        ],
        next: { createdAt: t0 + 2, id: fourth.id },
      });
      const page2 = await store.listUsers({ limit: 2, after: page1.next }, now);
      expect(page2.items.map((item) => item.id)).toEqual([tiedHigh.id, tiedLow.id]);
      expect(page2.next).toEqual({ createdAt: t0 + 1, id: tiedLow.id });
      const page3 = await store.listUsers({ limit: 2, after: page2.next }, now);
      expect(page3).toEqual({
        items: [
          {
            id: first.id,
            email: first.email,
            role: 'admin',
            createdAt: t0,
            lastActiveAt: t0 + 300_000,
            sessions: 0,
            twoFactorEnabled: false,
          },
        ],
        next: null,
      });
      // A page that ends exactly at the last account says there is no next one.
      expect((await store.listUsers({ limit: 5, after: null }, now)).next).toBeNull();
      expect((await store.listUsers({ limit: 4, after: null }, now)).next).toEqual({
        createdAt: t0 + 1,
        id: tiedLow.id,
      });
    });
  });

  describe('starting a session', () => {
    it('starts one for the stamp read with the credential: token, expiry, proof and the user as stored', async () => {
      const ada = await user();
      const started = await start(ada.id);
      expect(started).toEqual({
        sessionId: expect.any(String),
        userId: ada.id,
        refreshToken: expect.any(String),
        expiresAt: t0 + 600_000,
        user: ada,
        proof: { authTime: t0, method: 'password' },
        dpopJkt: null,
      });
      expect(Buffer.from(started.refreshToken, 'base64url')).toHaveLength(32);
      expect(await store.listSessions(ada.id, t0)).toEqual([
        { id: started.sessionId, createdAt: t0, lastUsedAt: t0, userAgent: 'Test/1.0' },
      ]);
      expect(await status(started, t0)).toBe('live');

      const byPasskey = await start(ada.id, t0, { method: 'passkey' });
      expect(byPasskey.proof).toEqual({ authTime: t0, method: 'passkey' });
      // The idle expiry never passes the absolute one.
      const short = await start(ada.id, t0, {}, { ...lifetimes, sessionMaxAge: 300 });
      expect(short.expiresAt).toBe(t0 + 300_000);
    });

    it('keeps a bounded user agent, or none', async () => {
      const ada = await user();
      const long = await start(ada.id, t0, { userAgent: 'x'.repeat(5_000) });
      const none = await start(ada.id, t0 + 1, { userAgent: null });
      const listed = await store.listSessions(ada.id, t0 + 2);
      expect(listed.find((session) => session.id === long.sessionId)?.userAgent).toHaveLength(512);
      expect(listed.find((session) => session.id === none.sessionId)?.userAgent).toBeNull();
    });

    it('refuses one once the stamp moved, or for nobody (INVALID_CREDENTIALS), and carries the role stored now', async () => {
      const ada = await user();
      await store.endAllSessions({ userId: ada.id, reason: 'role_changed', role: 'admin' }, t0);
      await expect(start(ada.id)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      await expect(start(ada.id)).rejects.toBeInstanceOf(AuthError);
      await expect(start('nobody')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(await store.listSessions(ada.id, t0)).toEqual([]);
      expect((await start(ada.id, t0, { credentialVersion: 1 })).user).toEqual({ ...ada, role: 'admin' });
    });

    it('never leaves a session on the old stamp when a sign-in races a credential change', async () => {
      const ada = await user();
      const [started, changed] = await Promise.allSettled([
        start(ada.id, t0),
        store.endAllSessions(
          { userId: ada.id, reason: 'password_reset', passwordHash: 'new', expectedVersion: 0 },
          t0 + 1,
        ),
      ]);
      if (changed.status !== 'fulfilled' || changed.value === null) throw new Error('the change was refused');
      if (started.status === 'fulfilled') {
        expect(changed.value.endedSessionIds).toEqual([started.value.sessionId]);
      } else {
        expect(started.reason).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      }
      expect(await store.listSessions(ada.id, t0 + 2)).toEqual([]);
    });
  });

  describe('rotating a refresh token', () => {
    it('exchanges a current token for a new one, slides the idle expiry and touches the session', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const second = await rotate(first.refreshToken, t0 + 60_000);
      expect(second).toEqual({
        ok: true,
        graceRetry: false,
        sessionId: first.sessionId,
        userId: ada.id,
        user: { id: ada.id, email: ada.email, name: null, role: 'user', emailVerifiedAt: null, totpEnabledAt: null },
        refreshToken: expect.any(String),
        expiresAt: t0 + 660_000,
        proof: { authTime: t0, method: 'password' },
        dpopJkt: null,
      });
      if (!second.ok) return;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(Buffer.from(second.refreshToken, 'base64url')).toHaveLength(32);
      expect(await store.listSessions(ada.id, t0 + 60_000)).toEqual([
        { id: first.sessionId, createdAt: t0, lastUsedAt: t0 + 60_000, userAgent: 'Test/1.0' },
      ]);
      expect(await rotate(second.refreshToken, t0 + 120_000)).toMatchObject({ ok: true, graceRetry: false });
    });

    it('makes successors unrelated across sessions', async () => {
      const ada = await user();
      const a = await start(ada.id);
      const b = await start(ada.id);
      const fromA = await rotate(a.refreshToken, t0 + 1);
      const fromB = await rotate(b.refreshToken, t0 + 1);
      if (!fromA.ok || !fromB.ok) throw new Error('rotation refused');
      expect(new Set([a.refreshToken, b.refreshToken, fromA.refreshToken, fromB.refreshToken]).size).toBe(4);
    });

    it('refuses an unknown token, an idle-expired, an absolutely expired and a revoked session', async () => {
      const ada = await user();
      expect(await rotate('no-such-token', t0)).toEqual({
        ok: false,
        reason: 'unknown',
        sessionId: null,
        userId: null,
      });

      const idle = await start(ada.id);
      expect(await rotate(idle.refreshToken, t0 + 600_000)).toEqual(refused(idle, 'expired'));

      const long = await start(ada.id);
      let current = long.refreshToken;
      for (let minute = 9; minute < 60; minute += 9) {
        const next = await rotate(current, t0 + minute * 60_000);
        if (!next.ok) throw new Error(`refresh at minute ${minute} refused: ${next.reason}`);
        expect(next.expiresAt).toBe(Math.min(t0 + minute * 60_000 + 600_000, t0 + 3_600_000));
        current = next.refreshToken;
      }
      expect(await rotate(current, t0 + 3_600_000)).toEqual(refused(long, 'expired'));

      const revoked = await start(ada.id);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1);
      // With what ended it, for the client to be told (issue 26).
      expect(await rotate(revoked.refreshToken, t0 + 2)).toEqual({
        ...refused(revoked, 'revoked'),
        revokedReason: 'logout',
      });
    });

    it('gives the token just replaced, back within the grace window from the same client, the same successor', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const winner = await rotate(first.refreshToken, t0 + 1_000);
      const retry = await rotate(first.refreshToken, t0 + 10_999);
      if (!winner.ok) throw new Error('rotation refused');
      expect(retry).toEqual({
        ok: true,
        graceRetry: true,
        sessionId: first.sessionId,
        userId: ada.id,
        user: { id: ada.id, email: ada.email, name: null, role: 'user', emailVerifiedAt: null, totpEnabledAt: null },
        refreshToken: winner.refreshToken,
        expiresAt: t0 + 610_999,
        proof: { authTime: t0, method: 'password' },
        dpopJkt: null,
      });
      expect(await status(first, t0 + 11_000)).toBe('live');
      expect(await rotate(winner.refreshToken, t0 + 12_000)).toMatchObject({ ok: true, graceRetry: false });
    });

    it('treats a replaced token after the grace window as theft: the session ends, its live token with it', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const second = await rotate(first.refreshToken, t0 + 1_000);
      if (!second.ok) throw new Error('rotation refused');
      expect(await rotate(first.refreshToken, t0 + 11_000)).toEqual(reused(first, 'after_grace'));
      expect(await rotate(second.refreshToken, t0 + 11_001)).toMatchObject({ ok: false, reason: 'revoked' });
      expect(await status(first, t0 + 11_001)).toBe('revoked');
      expect(await opened.background.revokedAfter(t0)).toEqual([
        { sessionId: first.sessionId, revokedAt: t0 + 11_000, reason: 'reuse_detected' },
      ]);
    });

    it('treats a grace retry from another client as theft (other_client)', async () => {
      const ada = await user();
      const first = await start(ada.id);
      expect((await rotate(first.refreshToken, t0 + 1_000)).ok).toBe(true);
      expect(await rotate(first.refreshToken, t0 + 2_000, 'client-b')).toEqual(reused(first, 'other_client'));
      expect(await status(first, t0 + 2_001)).toBe('revoked');
    });

    it('ends the session when an older token comes back, even within the grace window', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const second = await rotate(first.refreshToken, t0 + 1_000);
      if (!second.ok) throw new Error('rotation refused');
      expect((await rotate(second.refreshToken, t0 + 2_000)).ok).toBe(true);
      expect(await rotate(first.refreshToken, t0 + 3_000)).toMatchObject({
        ok: false,
        reason: 'reused',
        sessionId: first.sessionId,
        userId: ada.id,
      });
      expect(await status(first, t0 + 3_001)).toBe('revoked');
    });

    it('forgets sealed successors once their grace window has passed (expireGraceSuccessors): a retry is reuse', async () => {
      const ada = await user();
      const first = await start(ada.id);
      expect((await rotate(first.refreshToken, t0 + 1_000)).ok).toBe(true);
      expect(await opened.background.expireGraceSuccessors(t0 + 1_000)).toBe(0);
      expect(await opened.background.expireGraceSuccessors(t0 + 1_001)).toBe(1);
      expect(await opened.background.expireGraceSuccessors(t0 + 1_001)).toBe(0);
      expect(await rotate(first.refreshToken, t0 + 2_000)).toMatchObject({
        ok: false,
        reason: 'reused',
        reuse: 'after_grace',
      });
    });

    it(`keeps the newest ${REPLACED_TOKENS_KEPT} replaced tokens: an older one is unknown, a newer one reuse`, async () => {
      const ada = await user();
      const first = await start(ada.id);
      const issued = [first.refreshToken];
      for (let i = 1; i <= REPLACED_TOKENS_KEPT + 5; i++) {
        const next = await rotate(issued.at(-1) ?? '', t0 + i * 100);
        if (!next.ok) throw new Error(`refresh ${i} refused`);
        issued.push(next.refreshToken);
      }
      // Replaced: issued[0 … KEPT + 4]; the newest KEPT of them are issued[5 …].
      expect(await rotate(issued[4] ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'unknown' });
      expect(await status(first, t0 + 60_000)).toBe('live');
      expect(await rotate(issued[5] ?? '', t0 + 60_000)).toMatchObject({ ok: false, reason: 'reused' });
    });

    it('of exchanges of one token at once by one client, one rotates and the rest get its successor', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const results = await Promise.all(Array.from({ length: 6 }, () => rotate(first.refreshToken, t0 + 1_000)));
      const issued = results.flatMap((result) => (result.ok ? [result] : []));
      expect(issued).toHaveLength(6);
      expect(issued.filter((result) => !result.graceRetry)).toHaveLength(1);
      expect(new Set(issued.map((result) => result.refreshToken)).size).toBe(1);
      expect(await status(first, t0 + 1_001)).toBe('live');
    });

    it('of two exchanges of one token at once by two clients, one rotates and the other ends the session', async () => {
      const ada = await user();
      const first = await start(ada.id);
      const results = await Promise.all([
        rotate(first.refreshToken, t0 + 1_000, 'client-a'),
        rotate(first.refreshToken, t0 + 1_000, 'client-b'),
      ]);
      expect(results.filter((result) => result.ok && !result.graceRetry)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual([reused(first, 'other_client')]);
      expect(await status(first, t0 + 1_001)).toBe('revoked');
    });
  });

  describe('ending sessions', () => {
    it('revokes one session of its owner, once; other processes read it (revokedAfter)', async () => {
      const ada = await user();
      const session = await start(ada.id);
      const other = await start(ada.id);
      const revoke = (userId: string, at: number, sessionId = session.sessionId) =>
        store.revokeSession({ sessionId, userId, reason: 'logout' }, at);
      expect(await revoke('someone-else', t0 + 1)).toBe(false);
      expect(await revoke(ada.id, t0 + 1, 'no-such-session')).toBe(false);
      expect(await revoke(ada.id, t0 + 1)).toBe(true);
      expect(await revoke(ada.id, t0 + 2)).toBe(false);
      expect(await status(session, t0 + 3)).toBe('revoked');
      expect(await rotate(session.refreshToken, t0 + 3)).toMatchObject({ ok: false, reason: 'revoked' });
      expect((await store.listSessions(ada.id, t0 + 3)).map((listed) => listed.id)).toEqual([other.sessionId]);
      expect(await opened.background.revokedAfter(t0)).toEqual([
        { sessionId: session.sessionId, revokedAt: t0 + 1, reason: 'logout' },
      ]);
    });

    it('revokes a session once when two requests end it at once', async () => {
      const ada = await user();
      const session = await start(ada.id);
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          store.revokeSession({ sessionId: session.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('reads revocations after a time, oldest first', async () => {
      const ada = await user();
      const revokeAt = async (at: number) => {
        const { sessionId } = await start(ada.id);
        await store.revokeSession({ sessionId, userId: ada.id, reason: 'logout' }, at);
        return sessionId;
      };
      const first = await revokeAt(t0 + 1_000);
      const second = await revokeAt(t0 + 2_000);
      await revokeAt(t0 + 500);
      expect(await opened.background.revokedAfter(t0 + 900)).toEqual([
        { sessionId: first, revokedAt: t0 + 1_000, reason: 'logout' },
        { sessionId: second, revokedAt: t0 + 2_000, reason: 'logout' },
      ]);
      expect(await opened.background.revokedAfter(t0 + 1_000)).toEqual([
        { sessionId: second, revokedAt: t0 + 2_000, reason: 'logout' },
      ]);
      expect(await opened.background.revokedAfter(t0 + 2_000)).toEqual([]);
    });

    it('ends every live session with a credential change, moves the stamp on and applies the change', async () => {
      const ada = await user({ passwordHash: 'old-hash' });
      const a = await start(ada.id);
      const b = await start(ada.id);
      const ended = await start(ada.id);
      await store.revokeSession({ sessionId: ended.sessionId, userId: ada.id, reason: 'logout' }, t0);
      const bob = await user();
      const bobs = await start(bob.id);

      const changed = await store.endAllSessions(
        { userId: ada.id, reason: 'password_changed', passwordHash: 'new-hash', role: 'admin' },
        t0 + 1,
      );
      expect(changed).toEqual({
        endedSessionIds: expect.any(Array),
        credentialVersion: 1,
        user: { ...ada, role: 'admin' },
        removedPasskeys: 0,
      });
      expect(changed?.endedSessionIds.toSorted()).toEqual([a.sessionId, b.sessionId].toSorted());
      expect(await store.findCredential(ada.id)).toEqual({ passwordHash: 'new-hash', credentialVersion: 1 });
      expect(await store.listSessions(ada.id, t0 + 2)).toEqual([]);
      expect(await rotate(a.refreshToken, t0 + 2)).toMatchObject({ ok: false, reason: 'revoked' });
      expect(await status(bobs, t0 + 2)).toBe('live');
      expect((await opened.background.revokedAfter(t0)).map((revoked) => revoked.sessionId).toSorted()).toEqual(
        [a.sessionId, b.sessionId].toSorted(),
      );

      // Sign out everywhere: nothing left to end, the stamp moves on all the same.
      const again = await store.endAllSessions({ userId: ada.id, reason: 'logout_all' }, t0 + 3);
      expect(again).toMatchObject({ endedSessionIds: [], credentialVersion: 2, user: { role: 'admin' } });
      expect(await store.findCredential(ada.id)).toEqual({ passwordHash: 'new-hash', credentialVersion: 2 });
    });

    it('changes nothing unless the stamp is the one expected, nor for nobody', async () => {
      const ada = await user({ passwordHash: 'old-hash' });
      const session = await start(ada.id);
      const stale = { userId: ada.id, reason: 'password_changed', passwordHash: 'new', expectedVersion: 7 };
      expect(await store.endAllSessions(stale, t0 + 1)).toBeNull();
      expect(await store.endAllSessions({ userId: 'nobody', reason: 'logout_all' }, t0 + 1)).toBeNull();
      expect(await store.findCredential(ada.id)).toEqual({ passwordHash: 'old-hash', credentialVersion: 0 });
      expect(await status(session, t0 + 2)).toBe('live');
      expect(await store.endAllSessions({ ...stale, expectedVersion: 0 }, t0 + 2)).toMatchObject({
        credentialVersion: 1,
        endedSessionIds: [session.sessionId],
      });
    });

    it('applies one of two changes expecting the same stamp at once', async () => {
      const ada = await user();
      const results = await Promise.all(
        ['first', 'second'].map((passwordHash) =>
          store.endAllSessions({ userId: ada.id, reason: 'password_changed', passwordHash, expectedVersion: 0 }, t0),
        ),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
      expect(await store.findCredential(ada.id)).toMatchObject({ credentialVersion: 1 });
    });

    it('removes every passkey with the change when asked, and counts them', async () => {
      const ada = await user();
      const session = await start(ada.id);
      await store.insertPasskey(passkey('p1', ada.id), 10, t0, session.sessionId);
      await store.insertPasskey(passkey('p2', ada.id), 10, t0, session.sessionId);
      const changed = await store.endAllSessions(
        { userId: ada.id, reason: 'password_reset', passwordHash: 'new', removePasskeys: true },
        t0 + 1,
      );
      expect(changed).toMatchObject({ removedPasskeys: 2, endedSessionIds: [session.sessionId] });
      expect(await store.listPasskeys(ada.id)).toEqual([]);
    });
  });

  describe('the sessions a user sees', () => {
    it('lists live sessions, most recently used first; not revoked, expired or other users’ ones', async () => {
      const ada = await user();
      const bob = await user();
      const older = await start(ada.id, t0);
      const newer = await start(ada.id, t0 + 1_000, { userAgent: null });
      const revoked = await start(ada.id, t0);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1);
      await start(bob.id, t0);

      expect(await store.listSessions(ada.id, t0 + 2_000)).toEqual([
        { id: newer.sessionId, createdAt: t0 + 1_000, lastUsedAt: t0 + 1_000, userAgent: null },
        { id: older.sessionId, createdAt: t0, lastUsedAt: t0, userAgent: 'Test/1.0' },
      ]);
      expect((await store.listSessions(ada.id, t0 + 600_000)).map((session) => session.id)).toEqual([newer.sessionId]);
      expect(await store.listSessions('nobody', t0)).toEqual([]);
    });

    it('tells a live session from a revoked, an expired, someone else’s and an unknown one', async () => {
      const ada = await user();
      const live = await start(ada.id);
      const revoked = await start(ada.id);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1);
      expect(await status(live, t0 + 1)).toBe('live');
      expect(await status(revoked, t0 + 1)).toBe('revoked');
      expect(await status(live, t0 + 600_000)).toBe('expired');
      expect(await status({ sessionId: live.sessionId, userId: 'someone-else' }, t0 + 1)).toBe('revoked');
      expect(await status({ sessionId: 'no-such-session', userId: ada.id }, t0 + 1)).toBe('revoked');
    });

    it('records a fresh proof in a live session only while the stamp is unchanged', async () => {
      const ada = await user();
      const bob = await user();
      const session = await start(ada.id);
      const proof = (credentialVersion: number, at: number, ids: SessionIds = session) =>
        store.recordProof({ sessionId: ids.sessionId, userId: ids.userId, credentialVersion, method: 'passkey' }, at);

      expect(await proof(0, t0 + 5_000)).toBe(true);
      expect(await rotate(session.refreshToken, t0 + 6_000)).toMatchObject({
        ok: true,
        proof: { authTime: t0 + 5_000, method: 'passkey' },
      });
      expect(await proof(1, t0 + 7_000)).toBe(false);
      expect(await proof(0, t0 + 7_000, { sessionId: session.sessionId, userId: bob.id })).toBe(false);
      expect(await proof(0, t0 + 7_000, { sessionId: 'no-such-session', userId: ada.id })).toBe(false);
      expect(await proof(0, t0 + 7_000, { sessionId: session.sessionId, userId: 'nobody' })).toBe(false);
      expect(await proof(0, t0 + 6_000 + 600_000)).toBe(false);

      const revoked = await start(ada.id);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1);
      expect(await proof(0, t0 + 2, revoked)).toBe(false);
      const ended = await start(ada.id);
      await store.endAllSessions({ userId: ada.id, reason: 'logout_all' }, t0 + 1);
      expect(await proof(1, t0 + 2, ended)).toBe(false);
    });
  });

  describe('mailed links', () => {
    let mails = 0;
    const token = (userId: string, purpose: NewEmailToken['purpose'], expiresAt = t0 + 60_000): NewEmailToken => {
      mails += 1;
      return {
        userId,
        purpose,
        tokenHash: `hash-${mails}`,
        expiresAt,
        mail: { id: `mail-${mails}`, recipient: 'ada@example.com', sealedMessage: `sealed-${mails}` },
      };
    };
    const forAddress = ({ userId: _, ...issued }: NewEmailToken, email: string) => ({ ...issued, email });

    it('accepts a token until used; refuses it used, expired, superseded, unknown, or for another purpose', async () => {
      const ada = await user();
      const first = token(ada.id, 'password_reset');
      await store.issueEmailToken(first, t0);
      const second = token(ada.id, 'password_reset');
      await store.issueEmailToken(second, t0 + 1);
      const check = (issued: Pick<NewEmailToken, 'tokenHash'>, at: number) =>
        store.checkEmailToken('password_reset', issued.tokenHash, at);
      const use = (
        issued: Pick<NewEmailToken, 'tokenHash'>,
        at: number,
        purpose: NewEmailToken['purpose'] = 'password_reset',
      ) => store.useEmailToken(purpose, issued.tokenHash, at);
      const accepted = { ok: true, userId: ada.id, address: null };
      const refusal = (reason: 'used' | 'expired' | 'superseded' | 'unknown') => ({ ok: false, reason });
      const nothing = { tokenHash: 'no-such-hash' };

      expect(await check(first, t0 + 2)).toEqual(refusal('superseded'));
      // Checking does not use it up.
      expect(await check(second, t0 + 2)).toEqual(accepted);
      expect(await check(second, second.expiresAt - 1)).toEqual(accepted);
      expect(await check(second, second.expiresAt)).toEqual(refusal('expired'));
      expect(await use(second, second.expiresAt)).toEqual(refusal('expired'));
      expect(await use(second, t0 + 2, 'email_verification')).toEqual(refusal('unknown'));
      expect(await use(first, t0 + 2)).toEqual(refusal('superseded'));
      expect(await use(second, t0 + 2)).toEqual(accepted);
      expect(await use(second, t0 + 3)).toEqual(refusal('used'));
      expect(await check(second, t0 + 3)).toEqual(refusal('used'));
      expect(await check(nothing, t0)).toEqual(refusal('unknown'));
      expect(await use(nothing, t0)).toEqual(refusal('unknown'));
    });

    it('supersedes only the same user’s unused tokens of the same purpose', async () => {
      const ada = await user();
      const bob = await user();
      const reset = token(ada.id, 'password_reset');
      const verification = token(ada.id, 'email_verification');
      const bobs = token(bob.id, 'password_reset');
      const used = token(ada.id, 'password_reset');
      for (const issued of [reset, verification, bobs]) await store.issueEmailToken(issued, t0);
      await store.issueEmailToken(used, t0 + 1);
      expect(await store.useEmailToken('password_reset', used.tokenHash, t0 + 2)).toMatchObject({ ok: true });
      const latest = token(ada.id, 'password_reset');
      await store.issueEmailToken(latest, t0 + 3);

      const check = (issued: NewEmailToken) => store.checkEmailToken(issued.purpose, issued.tokenHash, t0 + 4);
      expect(await check(reset)).toEqual({ ok: false, reason: 'superseded' });
      expect(await check(used)).toEqual({ ok: false, reason: 'used' });
      expect(await check(verification)).toEqual({ ok: true, userId: ada.id, address: null });
      expect(await check(bobs)).toEqual({ ok: true, userId: bob.id, address: null });
      expect(await check(latest)).toEqual({ ok: true, userId: ada.id, address: null });
    });

    it('lets one of several uses of a token at once win', async () => {
      const ada = await user();
      const issued = token(ada.id, 'email_verification');
      await store.issueEmailToken(issued, t0);
      const results = await Promise.all(
        [1, 2, 3].map(() => store.useEmailToken('email_verification', issued.tokenHash, t0 + 1)),
      );
      expect(results.filter((result) => result.ok)).toEqual([{ ok: true, userId: ada.id, address: null }]);
      expect(results.filter((result) => !result.ok)).toEqual([
        { ok: false, reason: 'used' },
        { ok: false, reason: 'used' },
      ]);
    });

    it('issues a token to whoever has an address (issueEmailTokenFor), and nothing for an address nobody has', async () => {
      const ada = await user({ email: 'ada@example.com' });
      const older = token(ada.id, 'password_reset');
      await store.issueEmailToken(older, t0);
      await opened.background.claimDueMail(t0, t0 + 60_000, 10);

      const mailed = token(ada.id, 'password_reset');
      expect(await opened.background.issueEmailTokenFor(forAddress(mailed, 'ada@example.com'), t0 + 1)).toBe(true);
      expect(await store.checkEmailToken('password_reset', older.tokenHash, t0 + 2)).toEqual({
        ok: false,
        reason: 'superseded',
      });
      expect(await store.useEmailToken('password_reset', mailed.tokenHash, t0 + 2)).toEqual({
        ok: true,
        userId: ada.id,
        address: null,
      });
      expect(await opened.background.claimDueMail(t0 + 2, t0 + 60_000, 10)).toEqual([
        {
          id: mailed.mail.id,
          recipient: 'ada@example.com',
          sealedMessage: mailed.mail.sealedMessage,
          createdAt: t0 + 1,
          attempts: 0,
        },
      ]);

      const unknown = token(ada.id, 'password_reset');
      expect(await opened.background.issueEmailTokenFor(forAddress(unknown, 'nobody@example.com'), t0 + 3)).toBe(false);
      expect(await store.checkEmailToken('password_reset', unknown.tokenHash, t0 + 4)).toEqual({
        ok: false,
        reason: 'unknown',
      });
      expect(await opened.background.claimDueMail(t0 + 4, t0 + 60_000, 10)).toEqual([]);
    });

    /** @see issue 20, finding 10: on PostgreSQL two reset requests at once left two working links. */
    for (const by of ['user', 'address', 'user and address'] as const) {
      it(`leaves exactly one usable token of a burst issued at once by ${by}`, async () => {
        const ada = await user({ email: 'ada@example.com' });
        const burst = Array.from({ length: 6 }, () => token(ada.id, 'password_reset'));
        await Promise.all(
          burst.map((issued, i) =>
            by === 'user' || (by === 'user and address' && i % 2 === 1)
              ? store.issueEmailToken(issued, t0)
              : opened.background.issueEmailTokenFor(forAddress(issued, 'ada@example.com'), t0),
          ),
        );
        const checks = await Promise.all(
          burst.map((issued) => store.checkEmailToken('password_reset', issued.tokenHash, t0 + 1)),
        );
        expect(checks.filter((check) => check.ok)).toHaveLength(1);
        expect(checks.filter((check) => !check.ok && check.reason === 'superseded')).toHaveLength(5);
        // Every request's mail goes out all the same: each was a real request.
        expect(await opened.background.claimDueMail(t0, t0 + 60_000, 20)).toHaveLength(6);
      });
    }

    /**
     * A use of a link racing the issue of a newer one to the same user queue as SQLite's one write
     * lock queues them: either the use commits first (the issue then leaves the used token alone)
     * or the supersede does (the use is then refused). Never both: an old link never works once a
     * newer one has been issued, and the newer one always works. The row is read behind the port:
     * a used token reads as used whatever else is marked on it.
     */
    it('serialises a use of a link with the issue of a newer one, by user or by address', async () => {
      const ada = await user({ email: 'ada@example.com' });
      for (let round = 0; round < 24; round++) {
        const older = token(ada.id, 'password_reset');
        await store.issueEmailToken(older, t0);
        const newer = token(ada.id, 'password_reset');
        const [used] = await Promise.all([
          store.useEmailToken('password_reset', older.tokenHash, t0 + 1),
          round % 2
            ? store.issueEmailToken(newer, t0 + 1)
            : opened.background.issueEmailTokenFor(forAddress(newer, 'ada@example.com'), t0 + 1),
        ]);
        const [row] = await opened.rows(
          'select used_at as "usedAt", superseded_at as "supersededAt" from email_tokens where token_hash = ?',
          older.tokenHash,
        );
        if (used?.ok) {
          expect(row?.supersededAt).toBeNull();
          expect(row?.usedAt).not.toBeNull();
        } else {
          expect(used).toEqual({ ok: false, reason: 'superseded' });
          expect(row?.usedAt).toBeNull();
        }
        expect(await store.checkEmailToken('password_reset', newer.tokenHash, t0 + 2)).toEqual({
          ok: true,
          userId: ada.id,
          address: null,
        });
      }
    });
  });

  describe('the mail outbox', () => {
    const notice = (id: string) => ({ id, recipient: 'ada@example.com', sealedMessage: `sealed-${id}` });

    it('queues a token’s mail with it and a notice on its own, each due at once', async () => {
      const ada = await user();
      await store.issueEmailToken(
        { userId: ada.id, purpose: 'email_verification', tokenHash: 'h', expiresAt: t0 + 60_000, mail: notice('m1') },
        t0,
      );
      await store.queueMail(notice('m2'), t0 + 1);
      expect(await opened.background.claimDueMail(t0 - 1, t0 + 60_000, 10)).toEqual([]);
      const claimed = await opened.background.claimDueMail(t0 + 1, t0 + 60_000, 10);
      expect(claimed.toSorted((a, b) => a.createdAt - b.createdAt)).toEqual([
        { id: 'm1', recipient: 'ada@example.com', sealedMessage: 'sealed-m1', createdAt: t0, attempts: 0 },
        { id: 'm2', recipient: 'ada@example.com', sealedMessage: 'sealed-m2', createdAt: t0 + 1, attempts: 0 },
      ]);
    });

    it('claims due mail oldest first, up to the limit, each until its lease ends; retries, sends and gives up', async () => {
      const { background } = opened;
      await store.queueMail(notice('m1'), t0);
      await store.queueMail(notice('m2'), t0 + 1);
      expect((await background.claimDueMail(t0 + 1, t0 + 60_000, 1)).map((mail) => mail.id)).toEqual(['m1']);
      // m1 is held by that claim until its lease ends.
      expect((await background.claimDueMail(t0 + 2, t0 + 60_000, 10)).map((mail) => mail.id)).toEqual(['m2']);
      expect(await background.claimDueMail(t0 + 3, t0 + 60_000, 10)).toEqual([]);

      await background.retryMailAt('m1', t0 + 1_000, 'connect ECONNREFUSED');
      expect(await background.claimDueMail(t0 + 999, t0 + 60_000, 10)).toEqual([]);
      expect(await background.claimDueMail(t0 + 1_000, t0 + 60_000, 10)).toEqual([
        { id: 'm1', recipient: 'ada@example.com', sealedMessage: 'sealed-m1', createdAt: t0, attempts: 1 },
      ]);
      await background.markMailSent('m1', t0 + 1_001);
      // A lease that ran out (the sender died) frees the message for the next claim.
      expect(await background.claimDueMail(t0 + 60_000, t0 + 120_000, 10)).toEqual([
        { id: 'm2', recipient: 'ada@example.com', sealedMessage: 'sealed-m2', createdAt: t0 + 1, attempts: 1 },
      ]);
      await background.markMailFailed('m2', t0 + 60_001, 'gave up');
      expect(await background.claimDueMail(t0 + DAY, t0 + 2 * DAY, 10)).toEqual([]);
    });

    it('hands each message to one of several claims made at once', async () => {
      for (let i = 0; i < 10; i++) await store.queueMail(notice(`m${i}`), t0 + i);
      const claims = await Promise.all([1, 2, 3].map(() => opened.background.claimDueMail(t0 + 10, t0 + 60_000, 4)));
      for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(4);
      const rest = await opened.background.claimDueMail(t0 + 10, t0 + 60_000, 10);
      const ids = [...claims.flat(), ...rest].map((mail) => mail.id);
      expect(ids.toSorted()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).toSorted());
    });
  });

  describe('passkeys', () => {
    it('adds a passkey for a live session, and reads it back by user (oldest first) and by credential id', async () => {
      const ada = await user();
      const bob = await user();
      const { sessionId } = await start(ada.id);
      const synced = passkey('p1', ada.id, {
        counter: 5,
        transports: ['internal', 'hybrid'],
        deviceType: 'multiDevice',
        backedUp: true,
      });
      const plain = passkey('p2', ada.id);
      expect(await store.insertPasskey(synced, 20, t0 + 2, sessionId)).toBe('inserted');
      expect(await store.insertPasskey(plain, 20, t0 + 1, sessionId)).toBe('inserted');

      const stored = (added: NewPasskey, createdAt: number) => ({ ...added, createdAt, lastUsedAt: null });
      expect(await store.listPasskeys(ada.id)).toEqual([stored(plain, t0 + 1), stored(synced, t0 + 2)]);
      expect(await store.findPasskeyByCredentialId(synced.credentialId)).toEqual(stored(synced, t0 + 2));
      expect(await store.findPasskeyByCredentialId('no-such-credential')).toBeNull();
      expect(await store.listPasskeys(bob.id)).toEqual([]);
    });

    it('refuses a credential already registered, by anyone, and one past the limit', async () => {
      const ada = await user();
      const bob = await user();
      const adas = await start(ada.id);
      const bobs = await start(bob.id);
      const first = passkey('p1', ada.id);
      expect(await store.insertPasskey(first, 3, t0, adas.sessionId)).toBe('inserted');
      expect(await store.insertPasskey({ ...first, name: 'Again' }, 3, t0, adas.sessionId)).toBe('already_registered');
      const sameCredential = passkey('p2', bob.id, { credentialId: first.credentialId });
      expect(await store.insertPasskey(sameCredential, 3, t0, bobs.sessionId)).toBe('already_registered');
      expect(await store.listPasskeys(bob.id)).toEqual([]);

      expect(await store.insertPasskey(passkey('p3', ada.id), 2, t0, adas.sessionId)).toBe('inserted');
      expect(await store.insertPasskey(passkey('p4', ada.id), 2, t0, adas.sessionId)).toBe('too_many');
      expect((await store.listPasskeys(ada.id)).map((stored) => stored.id)).toEqual(['p1', 'p3']);
      expect(await store.insertPasskey(passkey('p4', ada.id), 3, t0, adas.sessionId)).toBe('inserted');
    });

    it('adds none unless the adding session is still live (session_ended)', async () => {
      const ada = await user();
      const bob = await user();
      const revoked = await start(ada.id);
      await store.revokeSession({ sessionId: revoked.sessionId, userId: ada.id, reason: 'logout' }, t0 + 1);
      expect(await store.insertPasskey(passkey('p1', ada.id), 20, t0 + 2, revoked.sessionId)).toBe('session_ended');
      const expired = await start(ada.id);
      expect(await store.insertPasskey(passkey('p2', ada.id), 20, t0 + 600_000, expired.sessionId)).toBe(
        'session_ended',
      );
      const bobs = await start(bob.id);
      expect(await store.insertPasskey(passkey('p3', ada.id), 20, t0 + 1, bobs.sessionId)).toBe('session_ended');
      expect(await store.insertPasskey(passkey('p4', ada.id), 20, t0 + 1, 'no-such-session')).toBe('session_ended');

      const live = await start(ada.id);
      expect(await store.insertPasskey(passkey('p5', ada.id), 20, t0 + 1, live.sessionId)).toBe('inserted');
      await store.endAllSessions({ userId: ada.id, reason: 'password_reset', passwordHash: 'new' }, t0 + 2);
      expect(await store.insertPasskey(passkey('p6', ada.id), 20, t0 + 3, live.sessionId)).toBe('session_ended');
      expect((await store.listPasskeys(ada.id)).map((stored) => stored.id)).toEqual(['p5']);
    });

    it('lets registrations at once not pass the limit', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      await store.insertPasskey(passkey('p0', ada.id), 2, t0, sessionId);
      const results = await Promise.all(
        ['p1', 'p2', 'p3', 'p4'].map((id) => store.insertPasskey(passkey(id, ada.id), 2, t0 + 1, sessionId)),
      );
      expect(results.toSorted()).toEqual(['inserted', 'too_many', 'too_many', 'too_many']);
      expect(await store.listPasskeys(ada.id)).toHaveLength(2);
    });

    it('keeps no passkey added while a reset that removes them all ends its session', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const [inserted, changed] = await Promise.all([
        store.insertPasskey(passkey('p1', ada.id), 20, t0 + 1, sessionId),
        store.endAllSessions(
          { userId: ada.id, reason: 'password_reset', passwordHash: 'new', removePasskeys: true },
          t0 + 1,
        ),
      ]);
      expect(changed?.removedPasskeys).toBe(inserted === 'inserted' ? 1 : 0);
      if (inserted !== 'inserted') expect(inserted).toBe('session_ended');
      expect(await store.listPasskeys(ada.id)).toEqual([]);
    });

    it('records a use only when the counter moves forward (or the authenticator keeps none)', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const counting = passkey('p1', ada.id, { counter: 5 });
      const synced = passkey('p2', ada.id);
      await store.insertPasskey(counting, 20, t0, sessionId);
      await store.insertPasskey(synced, 20, t0, sessionId);
      const find = async (added: NewPasskey) => store.findPasskeyByCredentialId(added.credentialId);

      expect(await store.recordPasskeyUse({ id: 'p1', counter: 6 }, t0 + 10)).toBe(true);
      expect(await find(counting)).toMatchObject({ counter: 6, lastUsedAt: t0 + 10 });
      expect(await store.recordPasskeyUse({ id: 'p1', counter: 6 }, t0 + 11)).toBe(false);
      expect(await store.recordPasskeyUse({ id: 'p1', counter: 3 }, t0 + 11)).toBe(false);
      expect(await store.recordPasskeyUse({ id: 'p1', counter: 0 }, t0 + 11)).toBe(false);
      expect(await find(counting)).toMatchObject({ counter: 6, lastUsedAt: t0 + 10 });

      expect(await store.recordPasskeyUse({ id: 'p2', counter: 0 }, t0 + 20)).toBe(true);
      expect(await store.recordPasskeyUse({ id: 'p2', counter: 0 }, t0 + 21)).toBe(true);
      expect(await find(synced)).toMatchObject({ counter: 0, lastUsedAt: t0 + 21 });
      expect(await store.recordPasskeyUse({ id: 'p2', counter: 1 }, t0 + 22)).toBe(true);
      expect(await store.recordPasskeyUse({ id: 'p2', counter: 0 }, t0 + 23)).toBe(false);
      expect(await store.recordPasskeyUse({ id: 'no-such-passkey', counter: 9 }, t0 + 23)).toBe(false);
    });

    it('lets one of two uses with one counter value at once pass', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      await store.insertPasskey(passkey('p1', ada.id, { counter: 5 }), 20, t0, sessionId);
      const results = await Promise.all([1, 2, 3].map(() => store.recordPasskeyUse({ id: 'p1', counter: 6 }, t0 + 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('removes one of the owner’s passkeys, never the account’s last way to sign in', async () => {
      const ada = await user({ passwordHash: 'hash' });
      const carol = await user({ passwordHash: '' });
      const adas = await start(ada.id);
      const carols = await start(carol.id);
      await store.insertPasskey(passkey('a1', ada.id), 20, t0, adas.sessionId);
      await store.insertPasskey(passkey('c1', carol.id), 20, t0, carols.sessionId);
      await store.insertPasskey(passkey('c2', carol.id), 20, t0 + 1, carols.sessionId);

      expect(await store.removePasskey({ id: 'a1', userId: carol.id })).toBe('not_found');
      expect(await store.removePasskey({ id: 'no-such-passkey', userId: ada.id })).toBe('not_found');
      // Ada keeps her password: her only passkey may go.
      expect(await store.removePasskey({ id: 'a1', userId: ada.id })).toBe('removed');
      expect(await store.removePasskey({ id: 'a1', userId: ada.id })).toBe('not_found');
      expect(await store.listPasskeys(ada.id)).toEqual([]);
      // Carol has no password: one passkey may go, the last may not.
      expect(await store.removePasskey({ id: 'c1', userId: carol.id })).toBe('removed');
      expect(await store.removePasskey({ id: 'c2', userId: carol.id })).toBe('last_sign_in_method');
      expect((await store.listPasskeys(carol.id)).map((stored) => stored.id)).toEqual(['c2']);
    });

    it('keeps the last way to sign in when two removals race', async () => {
      const dave = await user({ passwordHash: '' });
      const { sessionId } = await start(dave.id);
      await store.insertPasskey(passkey('d1', dave.id), 20, t0, sessionId);
      await store.insertPasskey(passkey('d2', dave.id), 20, t0, sessionId);
      const results = await Promise.all(['d1', 'd2'].map((id) => store.removePasskey({ id, userId: dave.id })));
      expect(results.toSorted()).toEqual(['last_sign_in_method', 'removed']);
      expect(await store.listPasskeys(dave.id)).toHaveLength(1);
    });
  });

  describe('two-step verification', () => {
    const use = (userId: string, secretSealed: string, step: number) => ({ userId, secretSealed, step });

    it('sets up a secret, confirms it once with its recovery codes, and turns it off', async () => {
      const ada = await user();
      expect(await store.findTotp(ada.id)).toEqual({ secretSealed: null, enabledAt: null, lastStep: 0 });
      expect(await store.findTotp('nobody')).toBeNull();
      expect(await store.setUnconfirmedTotpSecret(ada.id, 'first')).toBe(true);
      expect(await store.setUnconfirmedTotpSecret(ada.id, 'second')).toBe(true);
      // The older secret was replaced: a code it proved confirms nothing.
      expect(await store.confirmTotp(use(ada.id, 'first', 100), ['h1'], t0)).toBe(false);
      const confirmations = await Promise.all([
        store.confirmTotp(use(ada.id, 'second', 100), ['h1', 'h2'], t0),
        store.confirmTotp(use(ada.id, 'second', 100), ['h3', 'h4'], t0),
      ]);
      expect(confirmations.toSorted()).toEqual([false, true]);
      expect(await store.findTotp(ada.id)).toEqual({ secretSealed: 'second', enabledAt: t0, lastStep: 100 });
      expect(await store.findUserById(ada.id)).toMatchObject({ twoFactorEnabled: true });
      expect(await store.countRecoveryCodes(ada.id)).toBe(2);
      expect(await store.setUnconfirmedTotpSecret(ada.id, 'third')).toBe(false);
      expect(await store.disableTwoFactor(ada.id)).toBe(true);
      expect(await store.disableTwoFactor(ada.id)).toBe(false);
      expect(await store.findTotp(ada.id)).toEqual({ secretSealed: null, enabledAt: null, lastStep: 0 });
      expect(await store.countRecoveryCodes(ada.id)).toBe(0);
      expect(await store.findUserById(ada.id)).toMatchObject({ twoFactorEnabled: false });
    });

    it('accepts each step once and only later ones, of the enabled secret, even racing', async () => {
      const ada = await user();
      await store.setUnconfirmedTotpSecret(ada.id, 'secret');
      expect(await store.useTotpStep(use(ada.id, 'secret', 101))).toBe(false);
      await store.confirmTotp(use(ada.id, 'secret', 100), [], t0);
      const racing = await Promise.all(Array.from({ length: 5 }, () => store.useTotpStep(use(ada.id, 'secret', 101))));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await store.useTotpStep(use(ada.id, 'secret', 100))).toBe(false);
      expect(await store.useTotpStep(use(ada.id, 'other', 102))).toBe(false);
      expect(await store.useTotpStep(use(ada.id, 'secret', 102))).toBe(true);
    });

    it('uses a recovery code once, replaces the set only while it is on, and counts what is left', async () => {
      const ada = await user();
      const bo = await user();
      expect(await store.replaceRecoveryCodes(ada.id, ['x'], t0)).toBe(false);
      await store.setUnconfirmedTotpSecret(ada.id, 'secret');
      await store.confirmTotp(use(ada.id, 'secret', 1), ['h1', 'h2', 'h3'], t0);
      const racing = await Promise.all(Array.from({ length: 4 }, () => store.useRecoveryCode(ada.id, 'h1', t0)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await store.useRecoveryCode(bo.id, 'h2', t0)).toBe(false);
      expect(await store.countRecoveryCodes(ada.id)).toBe(2);
      expect(await store.replaceRecoveryCodes(ada.id, ['n1', 'n2', 'n3', 'n4'], t0)).toBe(true);
      expect(await store.useRecoveryCode(ada.id, 'h2', t0)).toBe(false);
      expect(await store.countRecoveryCodes(ada.id)).toBe(4);
      expect(await store.useRecoveryCode(ada.id, 'n4', t0)).toBe(true);
    });

    it('counts a pending sign-in’s attempts up to the limit, from its client only, until it expires or is taken', async () => {
      const ada = await user();
      const row = (handleHash: string, expiresAt = t0 + 60_000) => ({
        handleHash,
        userId: ada.id,
        credentialVersion: 0,
        firstFactor: 'github' as const,
        clientHash: 'client-a',
        createdAt: t0,
        expiresAt,
      });
      await store.createPendingSignIn(row('p1'));
      const attempt = { handleHash: 'p1', clientHash: 'client-a', now: t0 };
      expect(await store.countPendingSignInAttempt({ ...attempt, clientHash: 'client-b' }, 3)).toBeNull();
      expect(await store.countPendingSignInAttempt({ ...attempt, now: t0 + 60_000 }, 3)).toBeNull();
      const racing = await Promise.all(Array.from({ length: 5 }, () => store.countPendingSignInAttempt(attempt, 3)));
      const found = { userId: ada.id, credentialVersion: 0, firstFactor: 'github' };
      expect(racing.filter((each) => each !== null)).toEqual(Array(3).fill(found));
      expect(await store.takePendingSignIn('p1', t0)).toEqual(found);
      expect(await store.takePendingSignIn('p1', t0)).toBeNull();
      await store.createPendingSignIn(row('p2'));
      const takers = await Promise.all([store.takePendingSignIn('p2', t0), store.takePendingSignIn('p2', t0)]);
      expect(takers.filter((taken) => taken !== null)).toHaveLength(1);
      await store.createPendingSignIn(row('p3', t0 + 10));
      expect(await store.takePendingSignIn('p3', t0 + 10)).toBeNull();
    });

    it('is all removed by a credential change that removes the second factor', async () => {
      const ada = await user();
      await store.setUnconfirmedTotpSecret(ada.id, 'secret');
      await store.confirmTotp(use(ada.id, 'secret', 1), ['h1'], t0);
      const changed = await store.endAllSessions(
        { userId: ada.id, reason: 'two_factor_reset', removeSecondFactor: true },
        t0,
      );
      expect(changed?.user.twoFactorEnabled).toBe(false);
      expect(await store.findTotp(ada.id)).toEqual({ secretSealed: null, enabledAt: null, lastStep: 0 });
      expect(await store.countRecoveryCodes(ada.id)).toBe(0);
    });
  });

  describe('identities', () => {
    let subjects = 0;
    const proven = (overrides: Partial<ProvenIdentity> = {}): ProvenIdentity => ({
      provider: 'oidc',
      subject: `subject-${++subjects}`,
      email: `provided${subjects}@example.com`,
      emailVerified: true,
      displayName: `Provided ${subjects}`,
      ...overrides,
    });

    it('signs up a new identity with a verified address, then signs it in again, its address verified', async () => {
      const identity = proven();
      const first = await store.signInWithIdentity(identity, t0);
      expect(first).toMatchObject({ outcome: 'signed_in', created: true, credentialVersion: 0 });
      if (first.outcome !== 'signed_in') throw new Error('not signed in');
      expect(await store.findUserById(first.userId)).toMatchObject({ email: identity.email, emailVerified: true });
      expect(await store.findCredential(first.userId)).toMatchObject({ passwordHash: '' });
      const again = await store.signInWithIdentity({ ...identity, email: 'changed@example.com' }, t0 + SECOND);
      expect(again).toEqual({ outcome: 'signed_in', userId: first.userId, credentialVersion: 0, created: false });
      expect(await store.listIdentities(first.userId)).toEqual([
        {
          id: expect.any(String),
          provider: 'oidc',
          displayName: identity.displayName,
          createdAt: t0,
          lastUsedAt: t0 + SECOND,
        },
      ]);
    });

    it('never claims an address without a verified one, nor links an existing account silently', async () => {
      const ada = await user({ email: 'ada@example.com' });
      expect(await store.signInWithIdentity(proven({ email: 'ada@example.com' }), t0)).toEqual({
        outcome: 'email_taken',
      });
      expect(await store.signInWithIdentity(proven({ email: 'new@example.com', emailVerified: false }), t0)).toEqual({
        outcome: 'no_verified_email',
      });
      expect(await store.signInWithIdentity(proven({ email: null }), t0)).toEqual({ outcome: 'no_verified_email' });
      expect(await store.listIdentities(ada.id)).toEqual([]);
      expect(await store.findUserByEmail('new@example.com')).toBeNull();
    });

    it('makes one account of one new identity signing in twice at once', async () => {
      const identity = proven();
      const results = await Promise.all([
        store.signInWithIdentity(identity, t0),
        store.signInWithIdentity(identity, t0),
      ]);
      const userIds = new Set(results.flatMap((result) => (result.outcome === 'signed_in' ? [result.userId] : [])));
      expect(userIds.size).toBe(1);
    });

    it('links an identity to a live session’s account once, never to a second account, and unlinks all but the last way in', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const identity = proven();
      const caller = { userId: ada.id, sessionId };
      expect(await store.linkIdentity(caller, identity, t0)).toBe('linked');
      expect(await store.linkIdentity(caller, identity, t0)).toBe('already_linked');
      const bo = await user();
      const bos = await start(bo.id);
      expect(await store.linkIdentity({ userId: bo.id, sessionId: bos.sessionId }, identity, t0)).toBe('taken');
      expect(await store.linkIdentity({ userId: bo.id, sessionId: 'no-such-session' }, proven(), t0)).toBe(
        'session_ended',
      );
      const [linked] = await store.listIdentities(ada.id);
      if (!linked) throw new Error('no identity');
      expect(await store.unlinkIdentity({ id: linked.id, userId: bo.id })).toBe('not_found');
      // Ada has a password: the identity may go.
      expect(await store.unlinkIdentity({ id: linked.id, userId: ada.id })).toBe('removed');
      // An account made by a provider has no other way in.
      const created = await store.signInWithIdentity(proven(), t0);
      if (created.outcome !== 'signed_in') throw new Error('not signed in');
      const [only] = await store.listIdentities(created.userId);
      expect(await store.unlinkIdentity({ id: only?.id ?? '', userId: created.userId })).toBe('last_sign_in_method');
    });

    it('applies a credential change made from a session only while that session is live', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const other = await start(ada.id);
      // The session the change comes from is ended while its new hash is made: the change is not applied.
      await store.revokeSession({ userId: ada.id, sessionId, reason: 'revoked_by_user' }, t0);
      const change = {
        userId: ada.id,
        reason: 'password_changed',
        passwordHash: 'new-hash',
        expectedVersion: 0,
        fromSession: { sessionId, at: t0 + SECOND },
      };
      expect(await store.endAllSessions(change, t0 + SECOND)).toBeNull();
      expect(await store.findCredential(ada.id)).toMatchObject({ credentialVersion: 0 });
      // From a live session it is.
      const applied = await store.endAllSessions(
        { ...change, fromSession: { sessionId: other.sessionId, at: t0 + SECOND } },
        t0 + SECOND,
      );
      expect(applied).toMatchObject({ credentialVersion: 1 });
      expect(await store.findCredential(ada.id)).toMatchObject({ passwordHash: 'new-hash', credentialVersion: 1 });
    });

    it('proves the signed-in user again only with an identity of theirs, in a live session, on the stamp it read', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const caller = { userId: ada.id, sessionId };
      const identity = proven();
      expect(await store.proveWithIdentity(caller, identity, t0)).toBe('not_linked');
      expect(await store.linkIdentity(caller, identity, t0)).toBe('linked');
      expect(await store.proveWithIdentity(caller, identity, t0 + SECOND)).toEqual({ credentialVersion: 0 });
      // Another account's identity proves nothing here.
      const bo = await user();
      const bos = await start(bo.id);
      const bosIdentity = proven();
      expect(await store.linkIdentity({ userId: bo.id, sessionId: bos.sessionId }, bosIdentity, t0)).toBe('linked');
      expect(await store.proveWithIdentity(caller, bosIdentity, t0)).toBe('not_linked');
      // "Sign out everywhere" lands between the read and the record: the proof is not recorded.
      const proof = await store.proveWithIdentity(caller, identity, t0 + SECOND);
      if (typeof proof === 'string') throw new Error(proof);
      await store.endAllSessions({ userId: ada.id, reason: 'logout_all' }, t0 + SECOND);
      expect(
        await store.recordProof({ ...caller, credentialVersion: proof.credentialVersion, method: 'oidc' }, t0 + SECOND),
      ).toBe(false);
      expect(await store.proveWithIdentity(caller, identity, t0 + 2 * SECOND)).toBe('session_ended');
    });

    it('hands a provider request back once, and prunes it once expired', async () => {
      const row = (stateHash: string, expiresAt: number) => ({
        stateHash,
        provider: 'oidc',
        purpose: 'sign_in',
        browserHash: 'browser',
        secretsSealed: 'sealed',
        userId: null,
        sessionId: null,
        // The device key that started it (DPoP): the callback's session is bound to it.
        dpopJkt: 'thumbprint',
        createdAt: t0,
        expiresAt,
      });
      await store.storeOAuthRequest(row('s1', t0 + 60_000));
      const takers = await Promise.all([store.takeOAuthRequest('s1'), store.takeOAuthRequest('s1')]);
      expect(takers.filter((taken) => taken !== null)).toEqual([row('s1', t0 + 60_000)]);
      await store.storeOAuthRequest(row('old', t0 - 1));
      await store.storeOAuthRequest(row('live', t0 + 60_000));
      expect((await store.pruneExpired(t0)).oauthRequests).toBe(1);
      expect(await store.takeOAuthRequest('old')).toBeNull();
      expect(await store.takeOAuthRequest('live')).not.toBeNull();
    });
  });

  describe('passkey challenges', () => {
    it('hands a stored challenge back once, and nothing for an unknown one', async () => {
      const ada = await user();
      const { sessionId } = await start(ada.id);
      const registration = {
        challengeHash: 'c1',
        purpose: 'registration' as const,
        userId: ada.id,
        sessionId,
        expiresAt: t0 + 60_000,
      };
      const authentication = {
        challengeHash: 'c2',
        purpose: 'authentication' as const,
        userId: null,
        sessionId: null,
        expiresAt: t0 + 60_000,
      };
      await store.storeChallenge(registration, t0);
      await store.storeChallenge(authentication, t0);
      expect(await store.takeChallenge('c1')).toEqual(registration);
      expect(await store.takeChallenge('c1')).toBeNull();
      expect(await store.takeChallenge('c2')).toEqual(authentication);
      expect(await store.takeChallenge('no-such-challenge')).toBeNull();
    });

    it('gives a challenge to one of several requests answering it at once', async () => {
      const challenge = {
        challengeHash: 'c1',
        purpose: 'authentication' as const,
        userId: null,
        sessionId: null,
        expiresAt: t0 + 60_000,
      };
      await store.storeChallenge(challenge, t0);
      const results = await Promise.all([1, 2, 3].map(() => store.takeChallenge('c1')));
      expect(results.filter((result) => result !== null)).toEqual([challenge]);
    });
  });

  describe('security events', () => {
    const client = { userAgent: 'Mozilla/5.0 Test', ip: '203.0.113.7' };

    it('lists a user’s events newest first (the order written, within one millisecond), with device, address and session', async () => {
      const ada = await user();
      const bob = await user();
      await store.recordEvent({ userId: ada.id, type: 'signed_in', sessionId: 's1', client, method: 'passkey' }, 1_000);
      await store.recordEvent({ userId: bob.id, type: 'signed_in', sessionId: 's9', client }, 1_500);
      await store.recordEvent(
        { userId: ada.id, type: 'session_revoked', sessionId: 's2', actorSessionId: 's1', client },
        2_000,
      );
      await store.recordEvent({ userId: ada.id, type: 'signed_out', sessionId: 's1', client }, 2_000);
      await store.recordEvent(
        { userId: ada.id, type: 'password_changed', sessionId: null, client: { userAgent: null, ip: '::1' } },
        3_000,
      );

      const events = await store.listRecentEvents(ada.id);
      expect(events.map((event) => event.type)).toEqual([
        'password_changed',
        'signed_out',
        'session_revoked',
        'signed_in',
      ]);
      expect(events[0]).toEqual({
        id: expect.any(String),
        type: 'password_changed',
        at: 3_000,
        userAgent: null,
        ip: '::1',
        sessionId: null,
        method: null,
      });
      expect(events[2]).toEqual({
        id: expect.any(String),
        type: 'session_revoked',
        at: 2_000,
        userAgent: 'Mozilla/5.0 Test',
        ip: '203.0.113.7',
        sessionId: 's2',
        method: null,
      });
      expect(events[3]?.method).toBe('passkey');
      expect(new Set(events.map((event) => event.id)).size).toBe(4);
      expect((await store.listRecentEvents(bob.id)).map((event) => event.sessionId)).toEqual(['s9']);
      expect(await store.listRecentEvents('nobody')).toEqual([]);
    });

    it(`returns the last ${RECENT_EVENTS_LIMIT} only, and keeps a bounded user agent`, async () => {
      const ada = await user();
      for (let i = 0; i < 30; i++) {
        await store.recordEvent({ userId: ada.id, type: 'signed_in', sessionId: `s${i}`, client }, i);
      }
      const events = await store.listRecentEvents(ada.id);
      expect(events).toHaveLength(RECENT_EVENTS_LIMIT);
      expect(events[0]?.sessionId).toBe('s29');
      expect(events.at(-1)?.sessionId).toBe('s10');

      await store.recordEvent(
        { userId: ada.id, type: 'signed_in', sessionId: 'long', client: { ...client, userAgent: 'x'.repeat(5_000) } },
        31,
      );
      expect((await store.listRecentEvents(ada.id))[0]?.userAgent).toHaveLength(512);
    });
  });

  describe('housekeeping', () => {
    const now = Date.UTC(2026, 6, 1);
    const week = { refreshIdleTtl: 7 * 24 * 3600, sessionMaxAge: 30 * 24 * 3600, refreshReuseGrace: 10 };
    const nothing = {
      sessions: 0,
      rateLimits: 0,
      mail: 0,
      challenges: 0,
      pendingSignIns: 0,
      oauthRequests: 0,
      deletedAccounts: 0,
    };

    it('prunes sessions revoked or expired more than the retention ago, with their tokens; keeps the rest', async () => {
      const ada = await user({ at: 0 });
      const session = async (startedAt: number, revokedAt: number | null = null) => {
        const started = await start(ada.id, startedAt, {}, week);
        if (revokedAt !== null) {
          await store.revokeSession({ sessionId: started.sessionId, userId: ada.id, reason: 'logout' }, revokedAt);
        }
        return started;
      };
      const revokedLongAgo = await session(now - 40 * DAY, now - 31 * DAY);
      const expiredLongAgo = await session(now - 40 * DAY); // idle expiry: 33 days ago
      const revokedRecently = await session(now - 35 * DAY, now - 29 * DAY); // idle expiry: 28 days ago
      const revokedJustNow = await session(now - DAY, now - 1_000);
      const live = await session(now - DAY);
      const rotated = await session(now - 60 * DAY);
      expect((await rotate(rotated.refreshToken, now - 59 * DAY, 'client-a', week)).ok).toBe(true);

      expect(await store.pruneExpired(now)).toEqual({ ...nothing, sessions: 3 });
      // A pruned session's tokens are gone with it: unknown, no longer revoked or expired.
      for (const pruned of [revokedLongAgo, expiredLongAgo, rotated]) {
        expect(await rotate(pruned.refreshToken, now, 'client-a', week)).toMatchObject({ reason: 'unknown' });
      }
      expect(await rotate(revokedRecently.refreshToken, now, 'client-a', week)).toMatchObject({ reason: 'revoked' });
      expect(await rotate(revokedJustNow.refreshToken, now, 'client-a', week)).toMatchObject({ reason: 'revoked' });
      expect((await store.listSessions(ada.id, now)).map((listed) => listed.id)).toEqual([live.sessionId]);
      expect((await opened.background.revokedAfter(0)).map((revoked) => revoked.sessionId)).toEqual([
        revokedRecently.sessionId,
        revokedJustNow.sessionId,
      ]);
      expect(await store.pruneExpired(now)).toEqual(nothing);
    });

    it(`prunes in batches of ${PRUNE_BATCH_SIZE} until a batch comes back short`, async () => {
      const ada = await user({ at: 0 });
      const ended = now - ENDED_SESSION_RETENTION_MS - 8 * DAY;
      for (let i = 0; i < PRUNE_BATCH_SIZE + 5; i++) await start(ada.id, ended, {}, week);
      const kept = await start(ada.id, now - DAY, {}, week);
      expect(await store.pruneExpired(now)).toEqual({ ...nothing, sessions: PRUNE_BATCH_SIZE + 5 });
      expect(await status(kept, now)).toBe('live');
    });

    it('prunes mailed tokens expired, and mail sent or given up, more than the retention ago', async () => {
      const ada = await user({ at: 0 });
      const old = now - 31 * DAY;
      const mail = (id: string) => ({ id, recipient: 'ada@example.com', sealedMessage: 'sealed' });
      await store.issueEmailToken(
        { userId: ada.id, purpose: 'password_reset', tokenHash: 'old', expiresAt: old, mail: mail('sent-long-ago') },
        old,
      );
      await opened.background.markMailSent('sent-long-ago', old);
      await store.queueMail(mail('failed-long-ago'), old);
      await opened.background.markMailFailed('failed-long-ago', old, 'gave up');
      await store.queueMail(mail('still-due'), old);
      await store.issueEmailToken(
        { userId: ada.id, purpose: 'email_verification', tokenHash: 'new', expiresAt: now + DAY, mail: mail('sent') },
        now,
      );
      await opened.background.markMailSent('sent', now);

      expect(await store.pruneExpired(now)).toEqual({ ...nothing, mail: 3 });
      expect(await store.checkEmailToken('email_verification', 'new', now)).toEqual({
        ok: true,
        userId: ada.id,
        address: null,
      });
      expect(await store.checkEmailToken('password_reset', 'old', now)).toEqual({ ok: false, reason: 'unknown' });
      expect((await opened.background.claimDueMail(now, now + 60_000, 10)).map((due) => due.id)).toEqual(['still-due']);
    });

    it('prunes passkey challenges once expired, and keeps those still answerable', async () => {
      const challenge = (challengeHash: string, expiresAt: number) =>
        store.storeChallenge(
          { challengeHash, purpose: 'authentication', userId: null, sessionId: null, expiresAt },
          now - 1_000,
        );
      await challenge('expired', now - 1);
      await challenge('live', now + 60_000);
      expect(await store.pruneExpired(now)).toEqual({ ...nothing, challenges: 1 });
      expect(await store.takeChallenge('expired')).toBeNull();
      expect(await store.takeChallenge('live')).toMatchObject({ challengeHash: 'live', expiresAt: now + 60_000 });
    });

    it('prunes pending sign-ins once expired', async () => {
      const ada = await user();
      const pending = (handleHash: string, expiresAt: number) =>
        store.createPendingSignIn({
          handleHash,
          userId: ada.id,
          credentialVersion: 0,
          firstFactor: 'password',
          clientHash: 'c',
          createdAt: t0,
          expiresAt,
        });
      await pending('expired', now - 1);
      await pending('live', now + 60_000);
      expect(await store.pruneExpired(now)).toEqual({ ...nothing, pendingSignIns: 1 });
      expect(await store.takePendingSignIn('live', now)).not.toBeNull();
    });

    it('prunes throttle counters whose window has passed', async () => {
      const limiter = store.rateLimiter({ keyPrefix: 'prune', points: 1, duration: 60 });
      await limiter.consume('key');
      await expect(limiter.consume('key')).rejects.toBeInstanceOf(RateLimiterRes);
      // The limiter's windows run on the real clock.
      expect(await store.pruneExpired(Date.now())).toEqual(nothing);
      expect(await store.pruneExpired(Date.now() + 120_000)).toEqual({ ...nothing, rateLimits: 1 });
      await limiter.consume('key');
    });
  });

  describe('the throttle’s counters', () => {
    it('counts points per key across limiters of one prefix, refuses past them, and forgets a deleted key', async () => {
      const one = store.rateLimiter({ keyPrefix: 'login', points: 2, duration: 60 });
      const other = store.rateLimiter({ keyPrefix: 'login', points: 2, duration: 60 });
      const elsewhere = store.rateLimiter({ keyPrefix: 'reset', points: 2, duration: 60 });
      await one.consume('ada');
      await other.consume('ada');
      const refused = await one.consume('ada').then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(refused).toBeInstanceOf(RateLimiterRes);
      expect(refused).toMatchObject({ remainingPoints: 0 });
      expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
      expect((refused as RateLimiterRes).msBeforeNext).toBeLessThanOrEqual(60_000);
      await one.consume('bob');
      await elsewhere.consume('ada');
      await other.delete('ada');
      await one.consume('ada');
    });

    it('lets no more than the points through when requests arrive at once', async () => {
      const limiter = store.rateLimiter({ keyPrefix: 'burst', points: 3, duration: 60 });
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => limiter.consume('ada')));
      expect(fulfilled(results)).toHaveLength(3);
      expect(rejected(results).every((reason) => reason instanceof RateLimiterRes)).toBe(true);
    });
  });

  describe('signing keys', () => {
    const key = (kid: string, createdAt: number): NewSigningKey => ({
      kid,
      publicJwk: JSON.stringify({ kid }),
      privateJwk: `sealed-${kid}`,
      createdAt,
    });
    const stored = (
      kid: string,
      createdAt: number,
      retiredAt: number | null = null,
      revokedAt: number | null = null,
    ) => ({
      ...key(kid, createdAt),
      retiredAt,
      revokedAt,
    });

    it('replaces the active key only from the one expected, retiring it; deletes long-retired keys', async () => {
      const keys = store.signingKeys;
      expect(await keys.verifiable(0)).toEqual([]);
      expect(await keys.replaceActive('a', key('a', 1_000), 0)).toBe(false);
      expect(await keys.replaceActive(undefined, key('a', 1_000), 0)).toBe(true);
      expect(await keys.verifiable(0)).toEqual([stored('a', 1_000)]);
      // Another process rotated first: the key it saw is no longer the active one.
      expect(await keys.replaceActive(undefined, key('b', 2_000), 0)).toBe(false);
      expect(await keys.replaceActive('a', key('b', 2_000), 0)).toBe(true);
      expect(await keys.verifiable(0)).toEqual([stored('b', 2_000), stored('a', 1_000, 2_000)]);
      expect(await keys.verifiable(1_999)).toEqual([stored('b', 2_000), stored('a', 1_000, 2_000)]);
      expect(await keys.verifiable(2_000)).toEqual([stored('b', 2_000)]);
      expect(await keys.replaceActive('a', key('c', 3_000), 0)).toBe(false);
      expect(await keys.replaceActive('b', key('c', 3_000), 2_500)).toBe(true);
      expect(await keys.verifiable(0)).toEqual([stored('c', 3_000), stored('b', 2_000, 3_000)]);
    });

    it('lets one of several processes rotating from one key at once do it', async () => {
      const keys = store.signingKeys;
      await keys.replaceActive(undefined, key('a', 1_000), 0);
      const results = await Promise.all(['b', 'c', 'd', 'e'].map((kid) => keys.replaceActive('a', key(kid, 2_000), 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const active = (await keys.verifiable(0)).filter((stored) => stored.retiredAt === null);
      expect(active).toHaveLength(1);
    });

    it('revokes every key not yet revoked with a new one, whichever is active; long-retired keys go unreported', async () => {
      const keys = store.signingKeys;
      await keys.replaceActive(undefined, key('a', 1_000), 0);
      await keys.replaceActive('a', key('b', 2_000), 0);
      await keys.replaceActive('b', key('c', 3_000), 0);
      expect((await keys.replaceRevokingAll(key('d', 4_000), 2_500)).toSorted()).toEqual(['b', 'c']);
      expect(await keys.verifiable(0)).toEqual([
        stored('d', 4_000),
        stored('c', 3_000, 4_000, 4_000),
        stored('b', 2_000, 3_000, 4_000),
      ]);
      expect(await keys.replaceRevokingAll(key('e', 5_000), 0)).toEqual(['d']);
      expect(await keys.replaceActive('e', key('f', 6_000), 0)).toBe(true);
    });

    it('reseals the private halves it is given new values for, in one go, and leaves the rest', async () => {
      const keys = store.signingKeys;
      await keys.replaceActive(undefined, key('a', 1_000), 0);
      await keys.replaceActive('a', key('b', 2_000), 0);
      const seen: string[] = [];
      await keys.resealAll((kid, privateJwk) => {
        seen.push(`${kid}=${privateJwk}`);
        return kid === 'a' ? `resealed-${privateJwk}` : null;
      });
      expect(seen.toSorted()).toEqual(['a=sealed-a', 'b=sealed-b']);
      expect((await keys.verifiable(0)).map((stored) => stored.privateJwk)).toEqual(['sealed-b', 'resealed-sealed-a']);
    });

    it('changes the keys’ version (read by other processes) with every rotation and revocation, and only then', async () => {
      const keys = store.signingKeys;
      const version = () => opened.background.signingKeysVersion();
      const versions = [await version()];
      await keys.replaceActive(undefined, key('a', 1_000), 0);
      versions.push(await version());
      expect(await version()).toBe(versions.at(-1));
      await keys.replaceActive('a', key('b', 2_000), 0);
      versions.push(await version());
      await keys.replaceActive('a', key('c', 3_000), 0); // refused: nothing changes
      expect(await version()).toBe(versions.at(-1));
      await keys.replaceRevokingAll(key('c', 3_000), 0);
      versions.push(await version());
      expect(new Set(versions).size).toBe(4);
    });
  });

  describe('the timed work’s health probe', () => {
    it('finds the database writable', async () => {
      expect(await opened.background.writeHealth()).toBe('ok');
    });
  });
});
