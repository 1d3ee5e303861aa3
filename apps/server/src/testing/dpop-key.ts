import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

/** What a proof is made for (RFC 9449 §4.2), and the claims a test may bend. */
export interface ProofFor {
  method: 'GET' | 'POST';
  /** The request's URL; its query is left out of `htu`, as a client does. */
  url: string;
  /** The access token sent with it: `ath` is its hash. */
  accessToken?: string;
  nonce?: string;
  /** Seconds since the epoch; now by default. */
  iat?: number;
  jti?: string;
}

/** A software client's device key, as an attacker's toolkit or a non-browser client holds one. */
export interface DpopKey {
  /** Its RFC 7638 thumbprint: what a session bound to it carries as `cnf.jkt`. */
  jkt: string;
  proof(request: ProofFor): Promise<string>;
}

/**
 * A new P-256 device key that signs DPoP proofs with jose, independent of the server's verifier.
 *
 * @example
 * const key = await dpopKey();
 * const headers = { dpop: await key.proof({ method: 'POST', url: `${server.url}/trpc/auth.login` }) };
 */
export async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return {
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    proof: ({ method, url, accessToken, nonce, iat, jti }) => {
      const target = new URL(url);
      return new SignJWT({
        htm: method,
        htu: `${target.origin}${target.pathname}`,
        ...(accessToken === undefined ? {} : { ath: createHash('sha256').update(accessToken).digest('base64url') }),
        ...(nonce === undefined ? {} : { nonce }),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
        .setJti(jti ?? randomUUID())
        .sign(privateKey);
    },
  };
}
