import { sign } from 'node:crypto';
import { createDb, type DbHandle } from '@tessera/db';
import { type CryptoKey, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../engines/sqlite/store';
import { type AccessTokenOptions, CLOCK_TOLERANCE_S, issueAccessToken, verifyAccessToken } from './access-token';
import { createSecretBox, generateSecretKey } from './secret-box';
import { SIGNING_KEY_RELOAD_INTERVAL_MS, SigningKeyRing } from './signing-keys';

const box = createSecretBox({ key: generateSecretKey() });

const proof = { authTime: Date.UTC(2026, 0, 1, 11, 58), method: 'password' } as const;
const subject = { userId: 'user-1', sessionId: 'session-1', role: 'user', proof, dpopJkt: null } as const;
const INVALID = { ok: false, reason: 'invalid' };
const t0 = Date.UTC(2026, 0, 1);
let handle: DbHandle;
let options: AccessTokenOptions;

async function ringFor(db: DbHandle): Promise<SigningKeyRing> {
  return SigningKeyRing.open({
    store: createSqliteStore(db.db).signingKeys,
    box,
    accessTokenTtl: 300,
    signingKeyMaxAge: 86_400,
    now: () => t0,
  });
}

beforeEach(async () => {
  handle = createDb(':memory:');
  options = { keys: await ringFor(handle), issuer: 'https://issuer.test', audience: 'tessera', ttl: 300 };
});
afterEach(() => handle.close());

/** Signs arbitrary claims with our real private key, to prove verification checks each claim. */
async function signWithOurKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return signWith(await options.keys.signingKey(), claims, header);
}

/** Signs arbitrary claims with a private key of ours: the current one, or one a thief copied. */
async function signWith(
  { kid, privateKey }: { kid: string; privateKey: CryptoKey },
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(t0 / 1000);
  return new SignJWT({
    sub: 'user-1',
    sid: 'session-1',
    jti: 'j',
    iat: now,
    exp: now + 300,
    iss: options.issuer,
    aud: options.audience,
    ...claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })
    .sign(privateKey);
}

describe('access tokens', () => {
  it('carries the contract header and claims, and verifies', async () => {
    const { accessToken, expiresAt } = await issueAccessToken(options, subject, t0);
    const header = decodeProtectedHeader(accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(header.kid).toMatch(/^[\w-]{43}$/);
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({ iss: 'https://issuer.test', aud: 'tessera', sub: 'user-1', sid: 'session-1' });
    expect(claims.exp).toBe(Math.floor(t0 / 1000) + 300);
    expect(typeof claims.jti).toBe('string');
    expect(expiresAt).toBe(t0 + 300_000);
    const { proof: _, ...claimed } = subject;
    expect(await verifyAccessToken(options, accessToken, t0 + 1000)).toMatchObject({
      ok: true,
      token: { ...claimed, expiresAt, authTime: proof.authTime },
    });
  });

  /** @see issue 20, finding 3: step-up reads when the session's owner last proved a credential. */
  it('carries auth_time and amr, as OpenID Connect names them, and reads a token without auth_time as never proved', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    expect(decodeJwt(accessToken)).toMatchObject({ auth_time: proof.authTime / 1000, amr: ['pwd'] });
    const passkey = await issueAccessToken(options, { ...subject, proof: { ...proof, method: 'passkey' } }, t0);
    expect(decodeJwt(passkey.accessToken).amr).toEqual(['hwk', 'user']);
    const old = await signWithOurKey({ role: 'user' });
    expect(await verifyAccessToken(options, old, t0)).toMatchObject({ ok: true, token: { authTime: 0 } });
    expect(await verifyAccessToken(options, await signWithOurKey({ auth_time: 'yesterday' }), t0)).toEqual(INVALID);
  });

  it('carries the device key of a bound session as cnf.jkt (RFC 9449 §6), none for a Bearer one, and refuses a malformed cnf', async () => {
    const bound = await issueAccessToken(options, { ...subject, dpopJkt: 'thumbprint-of-the-key' }, t0);
    expect(decodeJwt(bound.accessToken).cnf).toEqual({ jkt: 'thumbprint-of-the-key' });
    expect(await verifyAccessToken(options, bound.accessToken, t0)).toMatchObject({
      ok: true,
      token: { dpopJkt: 'thumbprint-of-the-key' },
    });
    const bearer = await issueAccessToken(options, subject, t0);
    expect(decodeJwt(bearer.accessToken).cnf).toBeUndefined();
    expect(await verifyAccessToken(options, bearer.accessToken, t0)).toMatchObject({
      ok: true,
      token: { dpopJkt: null },
    });
    for (const cnf of [{}, { jkt: '' }, { jkt: 7 }, 'jkt']) {
      expect(await verifyAccessToken(options, await signWithOurKey({ cnf }), t0)).toEqual(INVALID);
    }
  });

  it('refuses an expired token, but not one inside the clock tolerance', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    expect(await verifyAccessToken(options, accessToken, t0 + 302_000)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(options, accessToken, t0 + 306_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('carries the role, refuses a role that is not ours, and reads a token without one as a user’s', async () => {
    const admin = await issueAccessToken(options, { ...subject, role: 'admin' }, t0);
    expect(decodeJwt(admin.accessToken).role).toBe('admin');
    expect(await verifyAccessToken(options, admin.accessToken, t0)).toMatchObject({
      ok: true,
      token: { role: 'admin' },
    });
    expect(await verifyAccessToken(options, await signWithOurKey({ role: 'root' }), t0)).toEqual(INVALID);
    expect(await verifyAccessToken(options, await signWithOurKey({ role: undefined }), t0)).toMatchObject({
      ok: true,
      token: { role: 'user' },
    });
  });

  it('calls an expired token "expired" only when its signature is ours', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    const [header, payload] = accessToken.split('.');
    const forgedSignature = Buffer.alloc(64).toString('base64url');
    expect(await verifyAccessToken(options, `${header}.${payload}.${forgedSignature}`, t0 + 306_000)).toEqual(INVALID);
  });

  it('refuses a token signed by another deployment', async () => {
    const other = createDb(':memory:');
    const foreign = await issueAccessToken({ ...options, keys: await ringFor(other) }, subject, t0);
    other.close();
    expect(await verifyAccessToken(options, foreign.accessToken, t0)).toEqual(INVALID);
  });

  it('refuses an HS256 token keyed with our public key (algorithm confusion)', async () => {
    const [jwk] = await options.keys.publicJwks();
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const now = Math.floor(t0 / 1000);
    const forged = await new SignJWT({ sub: 'user-1', sid: 's', jti: 'j', iss: options.issuer, aud: options.audience })
      .setProtectedHeader({ alg: 'HS256', kid: jwk?.kid, typ: 'at+jwt' })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(secret);
    expect(await verifyAccessToken(options, forged, t0)).toEqual(INVALID);
  });

  it('refuses alg none', async () => {
    const valid = await signWithOurKey({});
    const [, payload] = valid.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    expect(await verifyAccessToken(options, `${header}.${payload}.`, t0)).toEqual(INVALID);
  });

  it.each([
    ['issuer', { iss: 'https://evil.test' }],
    ['audience', { aud: 'someone-else' }],
    ['missing sid', { sid: undefined }],
    ['missing jti', { jti: undefined }],
    ['iat far in the future', { iat: Math.floor(t0 / 1000) + 3600, exp: Math.floor(t0 / 1000) + 3900 }],
  ])('refuses a wrong %s', async (_name, claims) => {
    expect(await verifyAccessToken(options, await signWithOurKey(claims), t0)).toEqual(INVALID);
  });

  it('refuses a JWT of another type', async () => {
    expect(await verifyAccessToken(options, await signWithOurKey({}, { typ: 'JWT' }), t0)).toEqual(INVALID);
    expect(await verifyAccessToken(options, await signWithOurKey({}), t0)).toMatchObject({ ok: true });
  });

  it('refuses a tampered payload', async () => {
    const { accessToken } = await issueAccessToken(options, subject, t0);
    const [header, , signature] = accessToken.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(accessToken), sub: 'admin' })).toString('base64url');
    expect(await verifyAccessToken(options, `${header}.${payload}.${signature}`, t0)).toEqual(INVALID);
  });

  /** A good signature by our own key is not enough: the header must ask for nothing we do not support. */
  it('refuses a critical header extension, an unencoded payload and a signature of the wrong length', async () => {
    const valid = await signWithOurKey({});
    const [header, payload, signature = ''] = valid.split('.');
    const { signer } = await options.keys.signingKey();
    const ourHeader = decodeProtectedHeader(valid);
    /** Correctly signed by our key, whatever the header says: jose itself will not sign these. */
    const signedAnyway = (extra: Record<string, unknown>) => {
      const input = `${Buffer.from(JSON.stringify({ ...ourHeader, ...extra })).toString('base64url')}.${payload}`;
      return `${input}.${sign(null, Buffer.from(input), signer).toString('base64url')}`;
    };
    expect(await verifyAccessToken(options, signedAnyway({}), t0)).toMatchObject({ ok: true });
    expect(await verifyAccessToken(options, signedAnyway({ crit: ['exp-policy'], 'exp-policy': 1 }), t0)).toEqual(
      INVALID,
    );
    expect(await verifyAccessToken(options, signedAnyway({ b64: false, crit: ['b64'] }), t0)).toEqual(INVALID);
    expect(await verifyAccessToken(options, `${header}.${payload}.${signature.slice(0, 40)}`, t0)).toEqual(INVALID);
  });

  it.each(['', 'a.b', 'a.b.c.d', '!!!.???.###', 'x'.repeat(15_000)])('refuses malformed input %#', async (token) => {
    expect(await verifyAccessToken(options, token, t0)).toEqual(INVALID);
  });
});

/** @see issue 20, finding 11: a leaked signing key kept minting (admin) tokens after keys:rotate. */
describe('tokens of a retired or revoked key', () => {
  const t0s = Math.floor(t0 / 1000);
  /** The last second after a retirement (at t0) at which a process that has not reloaded yet may still sign. */
  const lastHonestIat = t0s + SIGNING_KEY_RELOAD_INTERVAL_MS / 1000 + CLOCK_TOLERANCE_S;
  const issuedAt = (iat: number) => ({ iat, exp: iat + 300 });

  it('refuses a token the retired key signed after its retirement, the reload interval and the clock tolerance', async () => {
    const leaked = await options.keys.signingKey();
    await options.keys.rotate();
    const later = t0 + 100_000;
    expect(await verifyAccessToken(options, await signWith(leaked, issuedAt(lastHonestIat)), later)).toMatchObject({
      ok: true,
    });
    for (const role of ['user', 'admin']) {
      const forged = await signWith(leaked, { ...issuedAt(lastHonestIat + 1), role });
      expect(await verifyAccessToken(options, forged, later)).toEqual(INVALID);
    }
    // The new key is not bound by the old one's retirement.
    expect(await verifyAccessToken(options, await signWithOurKey(issuedAt(lastHonestIat + 1)), later)).toMatchObject({
      ok: true,
    });
  });

  it('calls a revoked key’s genuine token "expired" (its client refreshes), a later or forged one invalid', async () => {
    const leaked = await options.keys.signingKey();
    const honest = await issueAccessToken(options, subject, t0);
    expect(await options.keys.rotate({ revoke: true })).toMatchObject({ revoked: [leaked.kid] });

    expect(await verifyAccessToken(options, honest.accessToken, t0 + 1_000)).toEqual({ ok: false, reason: 'expired' });
    const [header, payload] = honest.accessToken.split('.');
    const badSignature = Buffer.alloc(64).toString('base64url');
    expect(await verifyAccessToken(options, `${header}.${payload}.${badSignature}`, t0 + 1_000)).toEqual(INVALID);
    const minted = await signWith(leaked, { ...issuedAt(lastHonestIat + 1), role: 'admin' });
    expect(await verifyAccessToken(options, minted, t0 + 100_000)).toEqual(INVALID);

    const fresh = await issueAccessToken(options, subject, t0 + 1_000);
    expect(decodeProtectedHeader(fresh.accessToken).kid).not.toBe(leaked.kid);
    expect(await verifyAccessToken(options, fresh.accessToken, t0 + 1_000)).toMatchObject({ ok: true });
  });
});
