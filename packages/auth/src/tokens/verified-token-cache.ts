import { LRUCache } from 'lru-cache';
import type { VerifiedAccessToken } from './verified-access-token';

/** Enough for every token live at once on a busy process; ~1 KB each. */
const DEFAULT_MAX_ENTRIES = 10_000;

interface CachedToken {
  token: VerifiedAccessToken;
  /** The key that signed it: a hit counts only while that key still vouches for it. */
  kid: string;
  /** Epoch seconds: `exp` and `iat` as signed. */
  exp: number;
  iat: number;
}

/**
 * Access tokens already verified, by their exact text: a hit skips the signature check, the
 * costliest step of an authenticated request. A tampered token is a different string, so it
 * misses and is verified in full. What a hit still checks, every time, is what can change after
 * verification: the time (expiry, with the same tolerance as a full check) and the signing key
 * (retired keys stop verifying, a revoked one at once, and a retired key never vouches for a token
 * issued after its retirement); the caller checks revocation after any verification, cached or
 * not. Bounded (least recently used out first), and in memory only.
 *
 * @example
 * const cache = new VerifiedTokenCache();
 * const hit = cache.get(token, Date.now(), (kid, iat) => vouches(kid, iat));
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, CachedToken>;

  constructor(
    /** How the expiry of a full check is computed: the token lifetime and clock tolerance, seconds. */
    private readonly limits: { ttl: number; clockTolerance: number },
    maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /**
   * The verified token, if `token` was verified before, is still within its time, and its key
   * still vouches for a token of its `iat` (epoch s); otherwise undefined (and a stale entry is
   * dropped), so the caller checks in full.
   */
  get(token: string, now: number, keyVouches: (kid: string, iat: number) => boolean): VerifiedAccessToken | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.fresh(entry, now) && keyVouches(entry.kid, entry.iat)) return entry.token;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, entry: CachedToken): void {
    this.entries.set(token, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The claim checks of a full verification (jose's, with `clockTolerance` and `maxTokenAge` set
   * as in verifyAccessToken), on the claims as signed: `exp` not passed, and `iat` not older than
   * the lifetime allows, nor in the future.
   */
  private fresh({ exp, iat }: CachedToken, now: number): boolean {
    const { ttl, clockTolerance } = this.limits;
    const seconds = Math.floor(now / 1000);
    const age = seconds - iat;
    // A clock set back could put `iat` in the future, which a full check refuses too.
    return exp > seconds - clockTolerance && age - clockTolerance <= ttl + clockTolerance && age >= -clockTolerance;
  }
}
