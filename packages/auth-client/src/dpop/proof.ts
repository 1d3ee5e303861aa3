/**
 * The public half of a P-256 device key as a JWK: exactly the members a DPoP proof's header and
 * an RFC 7638 thumbprint use. Never `d`, and none of the export's `ext` / `key_ops` extras.
 */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** What signs a proof: the (non-extractable) private key and the public JWK the header names. */
export interface ProofKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
}

/**
 * The request a proof is for, and what it must carry.
 *
 * @example
 * const input: DpopProofInput = { method: 'POST', url: '/trpc/auth.refresh', nonce };
 */
export interface DpopProofInput {
  /** The HTTP method; sent uppercase as `htm`. */
  method: string;
  /**
   * The request's URL. A relative one is resolved against `baseUrl` (default: the page's
   * `location.href`); query and fragment are left out of `htu`, as RFC 9449 says.
   */
  url: string | URL;
  /** The access token sent with the request, if any: the proof then carries its hash (`ath`). */
  accessToken?: string;
  /** The server's latest `DPoP-Nonce`, if it sent one. */
  nonce?: string;
  /** Resolves a relative `url`; defaults to `location.href` where there is a page. */
  baseUrl?: string;
  /** The time to sign as `iat`, epoch ms: the server's clock as the client last saw it. Defaults to now. */
  now?: number;
}

const encoder = new TextEncoder();

/**
 * base64url without padding (RFC 7515 §2). `btoa` needs a binary string; no Buffer in browsers.
 *
 * @example
 * base64url(new Uint8Array([0xfb, 0xff])); // '-_8'
 */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const base64urlJson = (value: object): string => base64url(encoder.encode(JSON.stringify(value)));

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/**
 * The RFC 7638 thumbprint of a P-256 public key: base64url(SHA-256) of its required members in
 * lexicographic order with no whitespace. The server puts it in a bound token's `cnf.jkt`.
 *
 * @example
 * const jkt = await thumbprint(key.publicJwk); // 43 characters
 */
export async function thumbprint(jwk: PublicJwk): Promise<string> {
  // JSON.stringify keeps the insertion order of string keys: this literal is the canonical form.
  return base64url(await sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })));
}

/**
 * The `htu` of a request: absolute, without query or fragment (RFC 9449 §4.2).
 *
 * @example
 * proofTargetUri('/trpc/auth.me?batch=1', 'https://app.example/account'); // 'https://app.example/trpc/auth.me'
 */
export function proofTargetUri(url: string | URL, baseUrl?: string): string {
  const base = baseUrl ?? (typeof location === 'undefined' ? undefined : location.href);
  let resolved: URL;
  try {
    resolved = new URL(url, base);
  } catch {
    throw new TypeError(`A DPoP proof needs an absolute URL (no page to resolve ${String(url)} against).`);
  }
  return `${resolved.origin}${resolved.pathname}`;
}

/**
 * A DPoP proof (RFC 9449) for one request: a compact JWS, ES256, whose header carries the public
 * key and whose claims name the request (`htm`, `htu`), a fresh `jti`, the time (`iat`), the hash
 * of the access token sent (`ath`), and the server's nonce when it asked for one. WebCrypto's
 * ECDSA signature is r‖s (64 bytes), which is exactly JWS's ES256 form.
 *
 * @example
 * const proof = await createDpopProof(key, { method: 'POST', url: '/trpc/auth.logout', accessToken });
 * await fetch('/trpc/auth.logout', { method: 'POST', headers: { authorization: `DPoP ${accessToken}`, dpop: proof } });
 */
export async function createDpopProof(key: ProofKey, input: DpopProofInput): Promise<string> {
  const { kty, crv, x, y } = key.publicJwk;
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } };
  const claims = {
    // 16 random bytes: 22 characters, unguessable and never repeated in practice.
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: input.method.toUpperCase(),
    htu: proofTargetUri(input.url, input.baseUrl),
    iat: Math.floor((input.now ?? Date.now()) / 1000),
    ...(input.accessToken === undefined ? {} : { ath: base64url(await sha256(input.accessToken)) }),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
  const signingInput = `${base64urlJson(header)}.${base64urlJson(claims)}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key.privateKey,
    encoder.encode(signingInput),
  );
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}
