import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CLOCK_TOLERANCE_S } from '../tokens/access-token';

/** How old a proof's `iat` may be (RFC 9449 §11.1: a short window; replays inside it are caught by `jti`). */
export const DPOP_PROOF_MAX_AGE_S = 60;

/** The one signature algorithm Tessera's clients use and its servers accept (WebCrypto's ECDSA P-256). */
export const DPOP_ALGORITHMS = ['ES256'] as const;

/** What the request that carried the proof was, for `htm`, `htu` and `ath`. */
export interface DpopRequest {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The request's URL as the client addressed it (PUBLIC_ORIGIN + path); query and fragment are ignored. */
  url: string;
  /** The access token sent with it (`Authorization: DPoP <token>`), whose hash `ath` must be. */
  accessToken?: string;
  /** Whether the proof's `nonce` is one the server issued and still takes (`DPOP_NONCE=on`); absent, none is asked. */
  acceptsNonce?: (nonce: unknown) => boolean;
}

/** Why a proof was refused: `use_nonce` asks the client to retry with the server's nonce (§8). */
export type DpopRefusal = 'invalid' | 'replayed' | 'use_nonce';

export type DpopProofCheck =
  | { ok: true /** RFC 7638 thumbprint of the proof's key: what a bound token's `cnf.jkt` is. */; jkt: string }
  | { ok: false; reason: DpopRefusal; why: string };

interface ProofHeader {
  typ?: unknown;
  alg?: unknown;
  jwk?: unknown;
}

interface ProofClaims {
  jti?: unknown;
  htm?: unknown;
  htu?: unknown;
  iat?: unknown;
  ath?: unknown;
  nonce?: unknown;
}

/** A P-256 public key as a JWK, imported once and kept with its thumbprint. */
interface ImportedKey {
  key: KeyObject;
  jkt: string;
}

const refuse = (reason: DpopRefusal, why: string): DpopProofCheck => ({ ok: false, reason, why });

/**
 * Checks DPoP proofs (RFC 9449 §4.3) on this instance: one compact JWS with `typ: dpop+jwt`,
 * `alg: ES256` and the public key in `jwk` (no private part), signed by that key; `htm` and `htu`
 * of this request; `iat` within {@link DPOP_PROOF_MAX_AGE_S} (and the clock tolerance ahead);
 * `ath` the SHA-256 of the access token when one is sent; the server's nonce when it asks one;
 * and a `jti` not seen before within the window. Imported keys are cached by their JWK (the hot
 * path is one ECDSA verification on node's crypto); `jti`s are kept per instance in a bounded
 * cache (`replayCacheSize`): across instances, or past the bound under a flood, a replay inside
 * the window is not caught here, which the server nonce (`DPOP_NONCE=on`) closes.
 *
 * @example
 * const proofs = dpopProofVerifier();
 * const check = proofs.verify(request.headers.dpop, { method: 'POST', url: `${origin}/trpc/auth.refresh` }, Date.now());
 */
export function dpopProofVerifier(options: { replayCacheSize?: number; keyCacheSize?: number } = {}) {
  const keys = new LRUCache<string, ImportedKey>({ max: options.keyCacheSize ?? 10_000 });
  const seen = replayCache(options.replayCacheSize ?? 100_000, (DPOP_PROOF_MAX_AGE_S + CLOCK_TOLERANCE_S) * 1000);

  function importKey(jwk: unknown): ImportedKey | null {
    if (typeof jwk !== 'object' || jwk === null) return null;
    const { kty, crv, x, y, d } = jwk as Record<string, unknown>;
    if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string' || d !== undefined) {
      return null;
    }
    // The members RFC 7638 hashes, in its order: the cache key and the thumbprint's input at once.
    const canonical = JSON.stringify({ crv, kty, x, y });
    const cached = keys.get(canonical);
    if (cached) return cached;
    try {
      const key = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
      const imported = { key, jkt: createHash('sha256').update(canonical).digest('base64url') };
      keys.set(canonical, imported);
      return imported;
    } catch {
      return null;
    }
  }

  return {
    verify(proof: string | undefined, request: DpopRequest, now: number): DpopProofCheck {
      if (!proof) return refuse('invalid', 'no DPoP proof');
      const parts = proof.split('.');
      if (parts.length !== 3) return refuse('invalid', 'not a compact JWS');
      const [encodedHeader = '', encodedClaims = '', signature = ''] = parts;
      const header = decodeJson<ProofHeader>(encodedHeader);
      const claims = decodeJson<ProofClaims>(encodedClaims);
      if (!header || !claims) return refuse('invalid', 'not JSON');
      if (header.typ !== 'dpop+jwt') return refuse('invalid', 'typ is not dpop+jwt');
      if (header.alg !== 'ES256') return refuse('invalid', 'alg is not ES256');
      const imported = importKey(header.jwk);
      if (!imported) return refuse('invalid', 'jwk is not a public P-256 key');
      const signed = verify(
        'sha256',
        Buffer.from(`${encodedHeader}.${encodedClaims}`),
        { key: imported.key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      if (!signed) return refuse('invalid', 'bad signature');

      if (claims.htm !== request.method) return refuse('invalid', 'htm is not this request');
      if (typeof claims.htu !== 'string' || !sameTarget(claims.htu, request.url)) {
        return refuse('invalid', 'htu is not this request');
      }
      if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return refuse('invalid', 'no iat');
      const age = now / 1000 - claims.iat;
      if (age > DPOP_PROOF_MAX_AGE_S || age < -CLOCK_TOLERANCE_S) return refuse('invalid', 'iat outside the window');
      if (request.accessToken !== undefined) {
        const ath = createHash('sha256').update(request.accessToken).digest('base64url');
        if (claims.ath !== ath) return refuse('invalid', 'ath is not the access token');
      }
      if (request.acceptsNonce && !request.acceptsNonce(claims.nonce)) return refuse('use_nonce', 'nonce expected');
      if (typeof claims.jti !== 'string' || claims.jti.length < 16 || claims.jti.length > 256) {
        return refuse('invalid', 'jti missing or not unique enough');
      }
      // Checked last, so only a proof good in every other way spends its jti.
      if (!seen.add(`${imported.jkt}:${claims.jti}`, now)) return refuse('replayed', 'jti seen before');
      return { ok: true, jkt: imported.jkt };
    },
  };
}

function decodeJson<T>(part: string): T | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}

/**
 * Remembers each key for at least `windowMs` (a proof's life), in two generations of at most
 * `max / 2` each: the older is dropped when the newer is full or a window old. A flood past the
 * bound forgets early, which a server nonce (`DPOP_NONCE=on`) or the window itself still limits.
 * Two `Set`s instead of an LRU with timers: this runs on every protected request.
 */
function replayCache(max: number, windowMs: number) {
  let current = new Set<string>();
  let previous = new Set<string>();
  let startedAt = Number.NEGATIVE_INFINITY;
  return {
    /** False when `key` was added before (a replay); else remembers it. */
    add(key: string, now: number): boolean {
      if (current.has(key) || previous.has(key)) return false;
      if (now - startedAt >= windowMs || current.size >= max / 2) {
        previous = current;
        current = new Set();
        startedAt = now;
      }
      current.add(key);
      return true;
    },
  };
}

/** `htu` against the request's URL: scheme, host, port and path, without query or fragment (RFC 9449 §4.3). */
function sameTarget(htu: string, requestUrl: string): boolean {
  // The common case, a client that wrote the URL as the server reads it, needs no parsing.
  if (htu === requestUrl) return true;
  if (!URL.canParse(htu) || !URL.canParse(requestUrl)) return false;
  const claimed = new URL(htu);
  const actual = new URL(requestUrl);
  return claimed.origin === actual.origin && claimed.pathname === actual.pathname;
}
