/** A session that ended, as the database records it. */
export interface Revocation {
  sessionId: string;
  /** Epoch ms. */
  revokedAt: number;
  /** `sessions.revoked_reason` (`logout`, `revoked_by_admin`, …), when the source carries it. */
  reason?: string | null;
}

/** An ended session as the list holds it. */
interface Ended {
  at: number;
  reason: string | null;
}

export interface RevocationListOptions {
  /**
   * Milliseconds a revocation matters: the access-token lifetime plus the clock leeway. Past
   * that, every access token of the session has expired on its own, so forgetting it is safe.
   */
  windowMs: number;
  /** Milliseconds without news from the feed after which the list may be missing revocations. */
  staleAfterMs: number;
  now?: () => number;
}

/**
 * The ids of sessions ended within the last access-token lifetime, held in memory so that
 * checking an access token costs a hash lookup and no query. Fed by this process's own
 * revocations at once (`add`) and by the other processes' through a `RevocationFeed`
 * (`caughtUp`). Bounded: entries leave once no token of theirs can still verify.
 *
 * @example
 * const revoked = new RevocationList({ windowMs: 305_000, staleAfterMs: 5_000 });
 * revoked.add(sessionId, Date.now());
 * revoked.has(sessionId); // true
 */
export class RevocationList {
  private readonly ended = new Map<string, Ended>();
  private lastCaughtUpAt: number;
  private readonly now: () => number;

  constructor(private readonly options: RevocationListOptions) {
    this.now = options.now ?? Date.now;
    this.lastCaughtUpAt = this.now();
  }

  /**
   * Remembers a session as ended, and why if known (a reason once known is kept when the same
   * revocation comes again without one); one whose tokens have all expired is not worth keeping.
   */
  add(sessionId: string, revokedAt: number, reason: string | null = null): void {
    if (revokedAt <= this.horizon()) return;
    const known = this.ended.get(sessionId);
    this.ended.set(sessionId, { at: revokedAt, reason: reason ?? known?.reason ?? null });
  }

  /** True when the session ended within the window: its access tokens are refused. */
  has(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  /** Why the session ended (`sessions.revoked_reason`), null if not known; undefined if it has not. */
  endedBecause(sessionId: string): string | null | undefined {
    return this.ended.get(sessionId)?.reason;
  }

  /**
   * The feed read the database at `asOf` (epoch ms) and found these revocations (already-known
   * ones included: the feed reads with some overlap). Also forgets what has left the window.
   */
  caughtUp(revocations: readonly Revocation[], asOf: number): void {
    for (const { sessionId, revokedAt, reason } of revocations) this.add(sessionId, revokedAt, reason ?? null);
    this.lastCaughtUpAt = Math.max(this.lastCaughtUpAt, asOf);
    this.prune();
  }

  /** True when the feed has not caught up for longer than `staleAfterMs`. */
  isStale(): boolean {
    return this.lagMs() > this.options.staleAfterMs;
  }

  /** Milliseconds since the feed last caught up with the database. */
  lagMs(): number {
    return Math.max(0, this.now() - this.lastCaughtUpAt);
  }

  /** How many sessions are held: at most those ended within the window. */
  get size(): number {
    return this.ended.size;
  }

  /** Epoch ms: sessions ended at or before this have no live access token left. */
  horizon(): number {
    return this.now() - this.options.windowMs;
  }

  private prune(): void {
    const horizon = this.horizon();
    for (const [sessionId, { at }] of this.ended) {
      if (at <= horizon) this.ended.delete(sessionId);
    }
  }
}
