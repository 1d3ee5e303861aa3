import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDeviceKey } from './device-key';
import { createDpopProof, proofTargetUri, thumbprint } from './proof';

/** Splits a compact JWS and checks its ES256 signature with Node's own crypto, not ours. */
function decodeVerified(proof: string) {
  const [header, claims, signature, ...rest] = proof.split('.');
  if (header === undefined || claims === undefined || signature === undefined || rest.length > 0) {
    throw new Error('not a compact JWS');
  }
  const parsedHeader: { jwk: { kty: string; crv: string; x: string; y: string } } & Record<string, unknown> =
    JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  const key = createPublicKey({ key: parsedHeader.jwk, format: 'jwk' });
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  return {
    valid,
    header: parsedHeader,
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature,
  };
}

const sha256url = (text: string) => createHash('sha256').update(text).digest('base64url');

describe('createDpopProof', () => {
  it('is an ES256 JWS over the request, signed by the device key, with its public key in the header', async () => {
    const key = await generateDeviceKey();
    const before = Math.floor(Date.now() / 1000);
    const proof = await createDpopProof(key, { method: 'post', url: 'https://app.example/trpc/auth.refresh' });
    const { valid, header, claims, signature } = decodeVerified(proof);

    expect(valid).toBe(true);
    // r‖s of 32 bytes each, base64url without padding.
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(Object.keys(header.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(claims).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: 'https://app.example/trpc/auth.refresh',
      iat: expect.any(Number),
    });
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('has no private member in the header, and the private key cannot be exported', async () => {
    const key = await generateDeviceKey();
    const { header } = decodeVerified(await createDpopProof(key, { method: 'GET', url: 'https://app.example/' }));

    expect(header.jwk).not.toHaveProperty('d');
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
  });

  it('leaves query and fragment out of htu, and resolves a relative URL', async () => {
    const key = await generateDeviceKey();
    const proof = await createDpopProof(key, {
      method: 'GET',
      url: '/trpc/auth.me,user.list?batch=1&input=%7B%7D#top',
      baseUrl: 'https://app.example/account/settings?tab=2',
    });

    expect(decodeVerified(proof).claims.htu).toBe('https://app.example/trpc/auth.me,user.list');
  });

  it('carries the hash of the access token (ath) and the nonce only when given', async () => {
    const key = await generateDeviceKey();
    const accessToken = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1MSJ9.c2ln';
    const proof = await createDpopProof(key, {
      method: 'POST',
      url: 'https://app.example/trpc/auth.logout',
      accessToken,
      nonce: 'n-1',
    });
    const { claims } = decodeVerified(proof);

    expect(claims.ath).toBe(sha256url(accessToken));
    expect(claims.nonce).toBe('n-1');

    const bare = decodeVerified(await createDpopProof(key, { method: 'POST', url: 'https://app.example/x' })).claims;
    expect(bare).not.toHaveProperty('ath');
    expect(bare).not.toHaveProperty('nonce');
  });

  it('gives every proof its own jti of at least 16 characters', async () => {
    const key = await generateDeviceKey();
    const jtis = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const proof = await createDpopProof(key, { method: 'POST', url: 'https://app.example/trpc/auth.refresh' });
        return decodeVerified(proof).claims.jti;
      }),
    );

    for (const jti of jtis) expect(jti).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(new Set(jtis).size).toBe(jtis.length);
  });

  it('refuses a relative URL when there is no page to resolve it against', async () => {
    const key = await generateDeviceKey();
    await expect(createDpopProof(key, { method: 'GET', url: '/trpc/auth.me' })).rejects.toThrow(TypeError);
  });
});

describe('proofTargetUri', () => {
  it('keeps origin and path, drops query and fragment', () => {
    expect(proofTargetUri('https://app.example:8443/trpc/auth.me?batch=1#x')).toBe(
      'https://app.example:8443/trpc/auth.me',
    );
    expect(proofTargetUri(new URL('http://localhost:5173/trpc/a?b'))).toBe('http://localhost:5173/trpc/a');
  });
});

describe('thumbprint', () => {
  it('is the RFC 7638 thumbprint: SHA-256 over the required members in order, base64url', async () => {
    // RFC 7638's own example is an RSA key; for P-256 the canonical form is crv, kty, x, y.
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    } as const;
    const canonical =
      '{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}';

    await expect(thumbprint(jwk)).resolves.toBe(sha256url(canonical));
    // Member order in the input does not matter.
    await expect(thumbprint({ y: jwk.y, x: jwk.x, crv: jwk.crv, kty: jwk.kty })).resolves.toBe(sha256url(canonical));
  });

  it('is the jkt a generated device key carries, and agrees with Node on its public key', async () => {
    const key = await generateDeviceKey();
    const exported = createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' }).export({ format: 'jwk' });
    const canonical = JSON.stringify({ crv: exported.crv, kty: exported.kty, x: exported.x, y: exported.y });

    expect(key.jkt).toBe(sha256url(canonical));
    await expect(thumbprint(key.publicJwk)).resolves.toBe(key.jkt);
  });
});
