import { createDb, type DbHandle, signingKeys } from '@tessera/db';
import { eq } from 'drizzle-orm';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../engines/sqlite/store';
import { type AccessTokenOptions, CLOCK_TOLERANCE_S, issueAccessToken, verifyAccessToken } from './access-token';
import { createSecretBox, generateSecretKey } from './secret-box';
import { SigningKeyRing } from './signing-keys';
import { VerifiedTokenCache } from './verified-token-cache';

const subject = {
  userId: 'user-1',
  sessionId: 'session-1',
  role: 'user',
  proof: { authTime: 0, method: 'password' },
  dpopJkt: null,
} as const;
const t0 = Date.UTC(2026, 0, 1);
let clock = t0;
let handle: DbHandle;
let ring: SigningKeyRing;
let options: AccessTokenOptions;

let ringOptions: Parameters<typeof SigningKeyRing.open>[0];

beforeEach(async () => {
  clock = t0;
  handle = createDb(':memory:');
  ringOptions = {
    store: createSqliteStore(handle.db).signingKeys,
    box: createSecretBox({ key: generateSecretKey() }),
    accessTokenTtl: 300,
    signingKeyMaxAge: 86_400,
    now: () => clock,
  };
  ring = await SigningKeyRing.open(ringOptions);
  options = {
    keys: ring,
    issuer: 'https://issuer.test',
    audience: 'tessera',
    ttl: 300,
    cache: new VerifiedTokenCache({ ttl: 300, clockTolerance: CLOCK_TOLERANCE_S }),
  };
});
afterEach(() => handle.close());

/** Counts full verifications: each looks the signing key up; a cache hit does not. */
const fullChecks = () => vi.spyOn(ring, 'verificationKey');

describe('the verified-token cache', () => {
  it('verifies a token in full once, then answers from the cache with the same result', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    const checks = fullChecks();
    const first = await verifyAccessToken(options, accessToken, t0 + 1_000);
    const second = await verifyAccessToken(options, accessToken, t0 + 2_000);
    const { proof: _, ...claimed } = subject;
    expect(first).toMatchObject({ ok: true, token: claimed });
    expect(second).toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('misses on a tampered token, which is verified in full and refused', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    await verifyAccessToken(options, accessToken, t0);
    const [header, payload, signature = ''] = accessToken.split('.');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const checks = fullChecks();
    for (const tampered of [
      `${header}.${payload}.${flipped}`,
      `${header}.${elevated}.${signature}`,
      `${accessToken} `,
    ]) {
      expect(await verifyAccessToken(options, tampered, t0)).toEqual({ ok: false, reason: 'invalid' });
    }
    // The trailing space (which base64 decoders forgive) is refused before any key lookup.
    expect(checks).toHaveBeenCalledTimes(2);
    expect(await verifyAccessToken(options, accessToken, t0)).toMatchObject({ ok: true });
  });

  it('expires a cached token exactly when a full check would, then says "expired"', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    await verifyAccessToken(options, accessToken, t0);
    const checks = fullChecks();
    // Inside the 5 s tolerance after exp: still good, from the cache.
    expect(await verifyAccessToken(options, accessToken, t0 + 304_999)).toMatchObject({ ok: true });
    expect(checks).not.toHaveBeenCalled();
    expect(await verifyAccessToken(options, accessToken, t0 + 305_000)).toEqual({ ok: false, reason: 'expired' });
    expect(checks).toHaveBeenCalledTimes(1);
    // The same instant without a cache agrees.
    const uncached = { ...options, cache: undefined };
    expect(await verifyAccessToken(uncached, accessToken, t0 + 304_999)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(uncached, accessToken, t0 + 305_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a cached token whose key was retired for longer than a token lives', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    await verifyAccessToken(options, accessToken, t0);
    const { kid } = decodeProtectedHeader(accessToken);
    // Another process retired the key long ago (say, after a leak); this one reloads on rotation.
    handle.db
      .update(signingKeys)
      .set({ retiredAt: t0 - 86_400_000 })
      .where(eq(signingKeys.kid, kid ?? ''))
      .run();
    await ring.rotate();
    expect(await verifyAccessToken(options, accessToken, t0 + 1_000)).toEqual({ ok: false, reason: 'invalid' });
  });

  /** @see issue 20, finding 11: the cache must not keep accepting what the key no longer vouches for. */
  it('refuses a cached token issued after its key’s retirement, once this process learns of it', async () => {
    // A thief's token, issued 70 s after the retirement below: no process of ours signs that
    // late. Verified (and cached) while this process has not heard of the retirement yet.
    const thief = { ...options, keys: await SigningKeyRing.open(ringOptions) };
    const lateIat = t0 + 70_000;
    const forged = await issueAccessToken(thief, subject, lateIat);
    expect(await verifyAccessToken(options, forged.accessToken, lateIat)).toMatchObject({ ok: true });
    // Another process retired the key at t0 (as keys:rotate would); this one is told.
    const other = await SigningKeyRing.open({ ...ringOptions, now: () => t0 });
    await other.rotate();
    ring.keysChanged();
    await vi.waitFor(async () =>
      expect(await verifyAccessToken(options, forged.accessToken, lateIat + 1_000)).toEqual({
        ok: false,
        reason: 'invalid',
      }),
    );
  });

  it('refuses a cached token of a revoked key, as "expired": its client refreshes', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    await verifyAccessToken(options, accessToken, t0);
    await ring.rotate({ revoke: true });
    expect(await verifyAccessToken(options, accessToken, t0 + 1_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps a just-rotated key’s tokens good: a retired key verifies as long as its tokens live', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    await verifyAccessToken(options, accessToken, t0);
    await ring.rotate();
    expect(await verifyAccessToken(options, accessToken, t0 + 1_000)).toMatchObject({ ok: true });
  });

  it('stays within its bound, dropping the least recently used', async () => {
    const small = { ...options, cache: new VerifiedTokenCache({ ttl: 300, clockTolerance: CLOCK_TOLERANCE_S }, 2) };
    const tokens = await Promise.all(
      ['s1', 's2', 's3'].map(
        async (sessionId) => (await issueAccessToken(small, { ...subject, sessionId }, t0)).accessToken,
      ),
    );
    for (const token of tokens) await verifyAccessToken(small, token, t0);
    expect(small.cache.size).toBe(2);
    const checks = fullChecks();
    await verifyAccessToken(small, tokens[0] ?? '', t0);
    expect(checks).toHaveBeenCalledTimes(1);
  });
});
