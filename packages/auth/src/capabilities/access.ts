import type { SessionEndCause } from '@tessera/contract';
import type { JWK } from 'jose';
import { sessionEndCause } from '../sessions/end-cause';
import type { SessionStatus } from '../sessions/sessions';
import { verifyAccessToken } from '../tokens/access-token';
import type { VerifiedAccessToken } from '../tokens/verified-access-token';
import type { AuthContext, Caller } from './context';

/**
 * An access-token check: the token's subject, or why it is refused. `revoked` means the token is
 * genuine and unexpired but its session has ended (signed out, revoked, password changed, reuse),
 * with what ended it when this process knows (`sessionEnd`, for the client to say).
 */
export type AccessCheck =
  | { ok: true; token: VerifiedAccessToken }
  | { ok: false; reason: 'invalid' | 'expired' }
  | { ok: false; reason: 'revoked'; sessionEnd: SessionEndCause | null };

/** How current this process's list of ended sessions is; `/healthz` reports it. */
export interface RevocationHealth {
  /** True when the feed has not caught up with the database for more than five seconds. */
  stale: boolean;
  /** Milliseconds since it last did. */
  lagMs: number;
  /** The feed's last read error, if its last read failed. */
  lastError: string | null;
  /** Sessions held in memory: those ended within the last access-token lifetime. */
  size: number;
}

/**
 * What a request's access token is worth: checked in memory (keys, the list of ended sessions),
 * and in the database when the list may be behind (fail closed); the keys others check it with.
 */
export function accessCapability({ config, store, keys, tokenOptions, revoked, feed, userById, now }: AuthContext) {
  return {
    /**
     * Checks an access token with the keys and the list of ended sessions in memory: no database
     * work on the hot path. While the list is stale (`revocationListStale`), the caller must also
     * confirm the session (`sessionStatus`), as `protectedProcedure` does.
     */
    async verifyAccessToken(token: string): Promise<AccessCheck> {
      const check = await verifyAccessToken(tokenOptions, token, now());
      if (!check.ok) return check;
      // One lookup: undefined while the session lives, else why it ended (null: not known).
      const endedBecause = revoked.endedBecause(check.token.sessionId);
      return endedBecause === undefined
        ? check
        : { ok: false, reason: 'revoked', sessionEnd: sessionEndCause(endedBecause) };
    },

    /** Reads the session in the database: for sensitive operations, which must not trust the list alone. */
    sessionStatus(caller: Caller): Promise<SessionStatus> {
      return store.sessionStatus(caller, now());
    },

    /**
     * Whether REQUIRE_VERIFIED_EMAIL is on and this user's address is not verified yet: the flag
     * binds sessions started before it was turned on too (read at most once a second, as `getUser`).
     */
    async mustVerifyEmail(userId: string): Promise<boolean> {
      return config.requireVerifiedEmail && !(await userById.get(userId))?.emailVerified;
    },

    /**
     * True when the list of ended sessions may be missing some (its feed has not caught up for
     * over five seconds): protected procedures then confirm each session in the database instead
     * of trusting the list (issue 20, finding 4). A clock read and a comparison, for every request.
     */
    revocationListStale(): boolean {
      return revoked.isStale();
    },

    /** How current the list of ended sessions is. */
    revocationHealth(): RevocationHealth {
      return { stale: revoked.isStale(), lagMs: revoked.lagMs(), lastError: feed.lastError(), size: revoked.size };
    },

    /** The JSON Web Key Set that verifies our access tokens. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: await keys.publicJwks() };
    },
  };
}
