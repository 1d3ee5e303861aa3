import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DPOP_PROOF_MAX_AGE_S, dpopProofVerifier } from './dpop-proof';

const URL_OF_ME = 'https://app.example.com/trpc/auth.me';
const now = Date.parse('2026-12-02T12:00:00Z');

/** A client's device key, and proofs signed with it as RFC 9449 §4.2 has them. */
async function deviceKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return {
    jwk,
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    proof: (claims: Record<string, unknown> = {}, header: { typ?: string; jwk?: JWK } = {}) =>
      new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_OF_ME, iat: Math.floor(now / 1000), ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: header.typ ?? 'dpop+jwt', jwk: header.jwk ?? jwk })
        .sign(privateKey),
  };
}

const request = { method: 'GET', url: URL_OF_ME };

describe('DPoP proofs (RFC 9449 §4.3)', () => {
  it('accepts a proof of this request and gives the key’s RFC 7638 thumbprint; the query does not matter', async () => {
    const device = await deviceKey();
    const check = dpopProofVerifier().verify(await device.proof(), { ...request, url: `${URL_OF_ME}?batch=1` }, now);
    expect(check).toEqual({ ok: true, jkt: device.jkt });
  });

  it('binds the proof to the access token sent with it (ath)', async () => {
    const device = await deviceKey();
    const accessToken = 'eyJ.token.here';
    const ath = createHash('sha256').update(accessToken).digest('base64url');
    const proofs = dpopProofVerifier();
    expect(proofs.verify(await device.proof({ ath }), { ...request, accessToken }, now)).toMatchObject({ ok: true });
    expect(proofs.verify(await device.proof({ ath }), { ...request, accessToken: 'another' }, now)).toMatchObject({
      ok: false,
      reason: 'invalid',
      why: 'ath is not the access token',
    });
    expect(proofs.verify(await device.proof(), { ...request, accessToken }, now)).toMatchObject({ ok: false });
  });

  it('refuses another method or URL, an old or future iat, and a replayed jti', async () => {
    const device = await deviceKey();
    const proofs = dpopProofVerifier();
    const refusal = async (claims: Record<string, unknown>) => {
      const check = proofs.verify(await device.proof(claims), request, now);
      return check.ok ? 'OK' : check.why;
    };
    expect(await refusal({ htm: 'POST' })).toBe('htm is not this request');
    expect(await refusal({ htu: 'https://app.example.com/trpc/auth.refresh' })).toBe('htu is not this request');
    expect(await refusal({ htu: 'https://evil.example/trpc/auth.me' })).toBe('htu is not this request');
    expect(await refusal({ iat: now / 1000 - DPOP_PROOF_MAX_AGE_S - 1 })).toBe('iat outside the window');
    expect(await refusal({ iat: now / 1000 + 60 })).toBe('iat outside the window');
    expect(await refusal({ jti: undefined })).toBe('jti missing or not unique enough');
    const proof = await device.proof();
    expect(proofs.verify(proof, request, now)).toMatchObject({ ok: true });
    expect(proofs.verify(proof, request, now)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('refuses a proof not signed by the key it names, of another type, or with a private key in it', async () => {
    const device = await deviceKey();
    const other = await deviceKey();
    const proofs = dpopProofVerifier();
    const why = (proof: string) => {
      const check = proofs.verify(proof, request, now);
      return check.ok ? 'OK' : check.why;
    };
    expect(why(await device.proof({}, { jwk: other.jwk }))).toBe('bad signature');
    expect(why(await device.proof({}, { typ: 'JWT' }))).toBe('typ is not dpop+jwt');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect(why(await device.proof({}, { jwk: await exportJWK(privateKey) }))).toBe('jwk is not a public P-256 key');
    expect(why('not.a-proof')).toBe('not a compact JWS');
    expect(why('')).toBe('no DPoP proof');
    const [header, claims] = (await device.proof()).split('.');
    expect(why(`${header}.${claims}.${'A'.repeat(86)}`)).toBe('bad signature');
  });

  it('asks for the server’s nonce when it expects one', async () => {
    const device = await deviceKey();
    const proofs = dpopProofVerifier();
    const acceptsNonce = (nonce: unknown) => nonce === 'n-1';
    expect(proofs.verify(await device.proof(), { ...request, acceptsNonce }, now)).toMatchObject({
      ok: false,
      reason: 'use_nonce',
    });
    expect(proofs.verify(await device.proof({ nonce: 'n-2' }), { ...request, acceptsNonce }, now)).toMatchObject({
      ok: false,
      reason: 'use_nonce',
    });
    expect(proofs.verify(await device.proof({ nonce: 'n-1' }), { ...request, acceptsNonce }, now)).toMatchObject({
      ok: true,
    });
  });
});
