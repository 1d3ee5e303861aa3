// A device key for the benchmark's DPoP scenario: proofs signed synchronously with node's crypto,
// so that autocannon's `setupRequest` (which cannot wait) can give each request a fresh one.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A new P-256 key and its proof maker (RFC 9449 §4.2): `proof(method, url, accessToken?)`.
 *
 * @example
 * const key = dpopKey();
 * fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: key.proof('GET', url, token) } });
 */
export function dpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = base64url({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  return {
    proof(method, url, accessToken) {
      const target = new URL(url);
      const claims = {
        jti: randomBytes(16).toString('base64url'),
        htm: method,
        htu: `${target.origin}${target.pathname}`,
        iat: Math.floor(Date.now() / 1000),
        ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}),
      };
      const input = `${header}.${base64url(claims)}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}
