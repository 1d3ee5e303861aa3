import { LRUCache } from 'lru-cache';
import type { SecretBox } from '../tokens/secret-box';

/** How long one nonce is handed out; a proof may carry this one or the one before (30–60 s of life). */
export const DPOP_NONCE_PERIOD_MS = 30_000;

const CONTEXT = 'dpop_nonce';

/**
 * Server-issued DPoP nonces (RFC 9449 §8, `DPOP_NONCE=on`): a proof must carry one handed out
 * within the last two periods, so a proof made ahead of time (by script that ran in the page a
 * while ago) is worthless a minute later. Each nonce is the period's number sealed with the
 * shared secret key: every instance accepts every other's without sharing state, and none can
 * be forged. A nonce seen before is recognised without opening it again.
 *
 * @example
 * const nonces = dpopNonces(box, Date.now);
 * reply.header('DPoP-Nonce', nonces.current());
 * nonces.accepts(claims.nonce); // true for this period's or the last one's
 */
export function dpopNonces(box: SecretBox, now: () => number) {
  let issued: { period: number; nonce: string } | null = null;
  // Every instance issues one per period: a few hundred is room for a large fleet.
  const opened = new LRUCache<string, number>({ max: 512 });
  const periodAt = (at: number) => Math.floor(at / DPOP_NONCE_PERIOD_MS);

  function periodOf(nonce: string): number | null {
    const known = opened.get(nonce);
    if (known !== undefined) return known;
    try {
      const period = Number(box.open(nonce, CONTEXT));
      if (!Number.isSafeInteger(period)) return null;
      opened.set(nonce, period);
      return period;
    } catch {
      return null;
    }
  }

  return {
    /** The nonce to send in `DPoP-Nonce` now: the same one for a whole period. */
    current(): string {
      const period = periodAt(now());
      if (issued?.period !== period) issued = { period, nonce: box.seal(String(period), CONTEXT) };
      return issued.nonce;
    },

    /** Whether `nonce` was issued (by any instance with this key) in this period or the one before. */
    accepts(nonce: unknown): boolean {
      if (typeof nonce !== 'string' || nonce.length > 512) return false;
      const period = periodOf(nonce);
      const current = periodAt(now());
      return period === current || period === current - 1;
    },
  };
}
