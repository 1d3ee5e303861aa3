import { availableParallelism } from 'node:os';
import type { AuthConfig } from '../config';
import type { IdentityProviderClient } from '../identities/providers';
import type { PasswordHasher } from '../passwords/password';
import type { RevocationFeed } from '../revocation/revocation-feed';
import type { BackgroundDb } from '../store/background';
import type { AuthStore } from '../store/store';
import type { ThrottleLimits } from '../throttle/throttle';
import type { LaneLimits } from '../throttle/work-lane';
import type { SecretBox } from '../tokens/secret-box';

/** What `createAuth` is given: the store, the config, the secrets' key, and the knobs with their defaults. */
export interface CreateAuthOptions {
  /** Where everything is kept: `createSqliteStore(db)` or `createPgStore(db)` (the engines' subpaths). */
  store: AuthStore;
  config: AuthConfig;
  /**
   * Seals the secrets kept at rest (private signing keys, refresh successors in their grace
   * window, queued mail) under a key that is not in the database; see `createSecretBox`.
   */
  box: SecretBox;
  /** Brute-force limits; the contract's by default. `'off'` only for load tests (`RATE_LIMIT=off`). */
  throttleLimits?: ThrottleLimits | 'off';
  /** argon2id by default; tests pass a cheap one (`@tessera/api/testing`). Never weaker in production. */
  passwordHasher?: PasswordHasher;
  /** How much password hashing each kind of request may have running and queued; see `defaultPasswordLanes`. */
  passwordLanes?: PasswordLanes;
  /**
   * Where the timed database work runs: reading other processes' revocations, clearing expired
   * refresh successors, the health probe, the mail outbox, and password-reset links (their cost
   * must not show in the requests that follow). On SQLite, `createInThreadBackground(db)` for one
   * process or an in-memory database, `createSqliteWorker(file)` for a server on a file.
   */
  background: BackgroundDb;
  /** Milliseconds between reads of other processes' revocations (`REVOCATION_POLL_MS`). */
  revocationPollMs?: number;
  /**
   * How this process learns of sessions other processes end; defaults to polling `background`
   * every `revocationPollMs`. Another engine can push instead (PostgreSQL: LISTEN/NOTIFY).
   */
  revocationFeed?: RevocationFeed;
  /** Work done after answering failed (a password-reset lookup): the server logs it. */
  onBackgroundError?: (error: unknown) => void;
  /** The clock, epoch ms; tests pass their own. */
  now?: () => number;
  /** The outside providers users may sign in with (identities/github-provider.ts, oidc-provider.ts); none by default. */
  identityProviders?: readonly IdentityProviderClient[];
}

/** Separate lanes, so a flood of password changes cannot starve sign-ins of hashing time. */
export interface PasswordLanes {
  /** Sign-in and registration. */
  signIn: LaneLimits;
  /** Password changes. */
  passwordChange: LaneLimits;
}

/**
 * Sign-ins hash on every core but one (at least one), password changes on one more; libuv's pool
 * has four threads. The core left free keeps the event loop answering: with every core hashing,
 * a storm of sign-ins tripled the p99 of every other request (npm run bench, 2 cores). Each
 * address group (IPv4 address, IPv6 /64) holds a few tasks at most, and groups take turns, so
 * two addresses flooding sign-in cannot delay anyone else's by more than a hash or so (issue 20,
 * finding 5); past its share a group gets 429, past the whole queue everyone gets 503.
 */
export const defaultPasswordLanes: PasswordLanes = {
  signIn: { concurrency: Math.max(1, availableParallelism() - 1), maxQueued: 128, perGroup: 4 },
  passwordChange: { concurrency: 1, maxQueued: 8, perGroup: 2 },
};

/** The revocation list is stale after this long without catching up (the load balancer's cue). */
export const REVOCATION_STALE_AFTER_MS = 5_000;
/** The default `REVOCATION_POLL_MS`. */
export const DEFAULT_REVOCATION_POLL_MS = 250;
