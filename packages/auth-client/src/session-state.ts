import type { SessionEndCause } from '@tessera/contract';
import { type BackoffOptions, backoffDelay } from './backoff';
import type { TabCoordinator } from './cross-tab';
import {
  type FailureReason,
  failurePolicy,
  getFailureReason,
  getSessionEndCause,
  isCredentialError,
  type SessionEndReason,
  sessionEndReason,
} from './errors';
import { sessionIdOf } from './jwt-claims';
import { proactiveRefreshDelay } from './refresh-timer';
import type { TabMessage } from './tab-message';
import { tokenLifetimeMs } from './token-lifetime';
import type { TokenStore } from './token-store';
import type { Session } from './types';

/**
 * After a round of retries failed for a transient reason, the session is kept and tried again
 * later: within 30 s the first time, doubling up to 2 minutes, with jitter so that tabs and users
 * coming back from the same outage spread out.
 */
const RETRY_LATER: Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'> = { baseDelayMs: 30_000, maxDelayMs: 120_000 };

/**
 * The hard cap on that background loop: after this many failed rounds in a row the timer stops.
 * The next call that needs a token (or an explicit `refresh()`) starts again; nothing loops forever.
 */
const MAX_FAILED_ROUNDS = 5;

/** A session as a tab holds it: with when this browser obtained it (ms, the clock every tab shares). */
interface Held {
  session: Session;
  obtainedAt: number;
}

/**
 * Orders sessions: the later expiry (on the server's clock, to the second) first; between equal
 * expiries, the one this browser obtained later (two refreshes within a second: the second may
 * carry a changed address or role); then the greater token, an arbitrary but shared tie-break so
 * that every tab picks the same one.
 */
const isNewer = (candidate: Held, current: Held): boolean =>
  candidate.session.expiresAt !== current.session.expiresAt
    ? candidate.session.expiresAt > current.session.expiresAt
    : candidate.obtainedAt !== current.obtainedAt
      ? candidate.obtainedAt > current.obtainedAt
      : candidate.session.accessToken > current.session.accessToken;

/**
 * Whether two access tokens belong to one server-side session (refreshed tokens do).
 *
 * @example
 * sameSession(before.accessToken, after.accessToken); // true after a refresh, false after a new sign-in
 */
export const sameSession = (a: string, b: string): boolean => {
  const [first, second] = [sessionIdOf(a), sessionIdOf(b)];
  return first !== null && second !== null ? first === second : a === b;
};

export interface SessionStateOptions {
  store: TokenStore;
  tabs: TabCoordinator;
  /** Arms the proactive refresh timer. */
  schedule(delayMs: number): void;
  clearTimer(): void;
}

/**
 * The auth client's policy, in one place: what this tab does with a session it receives, a
 * refresh that failed, a call the server refused, and another tab's message. No requests are
 * made here; `createAuthClient` does the plumbing and asks this what follows.
 *
 * @example
 * const state = createSessionState({ store, tabs, schedule, clearTimer });
 * state.accept(session); // signed in, proactive refresh armed
 */
export function createSessionState({ store, tabs, schedule, clearTimer }: SessionStateOptions) {
  // Consecutive refresh rounds that failed for a transient reason; see MAX_FAILED_ROUNDS.
  let failedRounds = 0;
  // Anonymous only because the first restore could not reach the server: another tab's refresh
  // may then sign this one in (a plain sign-out, by contrast, must not be undone that way).
  let restoreUnreachable = false;
  // When the access token runs out, on the local clock (receipt time + lifetime, so skew-free).
  let expiresAtLocal = 0;
  // When this browser obtained the held session (here, or in the tab that told us of it).
  let obtainedAt = 0;

  /** Holds `session`, obtained at `at` (now, or when another tab did), and arms the refresh at 80 % of its lifetime. */
  const accept = (session: Session, at = Date.now()) => {
    obtainedAt = at;
    const receivedAt = Date.now();
    const lifetime = tokenLifetimeMs(session, receivedAt);
    expiresAtLocal = receivedAt + lifetime;
    failedRounds = 0;
    restoreUnreachable = false;
    store.setSession(session);
    schedule(proactiveRefreshDelay(lifetime));
  };

  /** Signed out here; `endedBecause` is what the sign-in page explains, if anything. */
  const becomeAnonymous = (endedBecause: SessionEndReason | null = null) => {
    clearTimer();
    failedRounds = 0;
    restoreUnreachable = false;
    store.setAnonymous(endedBecause);
  };

  /** This tab's session is over: every tab that holds it forgets it, with the reason to show. */
  const endHere = (accessToken: string | null, endedBecause: SessionEndReason | null) => {
    tabs.publish({ type: 'signed-out', sessionId: accessToken && sessionIdOf(accessToken), reason: endedBecause });
    becomeAnonymous(endedBecause);
  };

  /**
   * The server refused a call because the session of `tokenSent` has ended (revoked from another
   * device, reuse detected, expired). Unless a newer session has taken its place, it ends here.
   */
  const endSession = (reason: FailureReason, tokenSent: string, cause: SessionEndCause | null = null) => {
    const held = store.getAccessToken();
    if (held !== null && sameSession(held, tokenSent)) endHere(held, sessionEndReason(reason, cause));
  };

  /** A signed-in tab that cannot reach a healthy server keeps its session and tries again later, a few times. */
  const retryLater = () => {
    failedRounds++;
    if (failedRounds >= MAX_FAILED_ROUNDS) clearTimer();
    else schedule(backoffDelay(failedRounds - 1, RETRY_LATER));
  };

  return {
    accept,
    /** A session refreshed here (or re-proved): held, and every other tab told. */
    refreshedHere(session: Session) {
      accept(session);
      tabs.publish({ type: 'refreshed', session, obtainedAt });
    },
    becomeAnonymous,
    endHere,
    endSession,

    /** A call made outside the link was refused because the session is over: it ends here too. */
    endIfSessionOver(error: unknown, tokenSent: string) {
      const reason = getFailureReason(error);
      if (reason !== undefined && failurePolicy(reason) === 'end-session') {
        endSession(reason, tokenSent, getSessionEndCause(error));
      }
    },

    /** A refresh failed for good (its retries spent). Only a refused credential signs out. */
    refreshFailed(error: unknown) {
      const { status, session } = store.getState();
      if (isCredentialError(error)) {
        // The cookie all tabs share is dead, so the session is over everywhere.
        const endedBecause = sessionEndReason(getFailureReason(error), getSessionEndCause(error));
        if (status === 'authenticated') endHere(session.accessToken, endedBecause);
        else becomeAnonymous(endedBecause);
      } else if (status === 'loading') {
        // A reload that cannot reach the server must still leave `loading`; the cookie stays,
        // so the next reload, or another tab's refresh, can restore.
        becomeAnonymous();
        restoreUnreachable = true;
      } else if (status === 'authenticated') {
        retryLater();
      }
    },

    /** Another tab signed in, refreshed or signed out. */
    onTabMessage(message: TabMessage) {
      const { status, session } = store.getState();
      if (message.type === 'signed-out') {
        // A sign-in that crossed this message holds a newer session: the sign-out is not about it.
        const heldId = session && sessionIdOf(session.accessToken);
        if (message.sessionId !== null && heldId !== null && heldId !== message.sessionId) return;
        becomeAnonymous(message.reason);
        return;
      }
      if (session?.accessToken === message.session.accessToken) return;
      if (message.type === 'refreshed') {
        // A refresh never signs a signed-out tab back in: it may have left before that sign-out.
        // A tab whose restore could not reach the server had no session to leave: it joins.
        if (status === 'anonymous' && !restoreUnreachable) return;
        // Messages from different tabs may cross on the way; keep the newest session, so all
        // tabs settle on the same one whatever the order of arrival.
        if (session !== null && !isNewer(message, { session, obtainedAt })) return;
        accept(message.session, message.obtainedAt);
        return;
      }
      accept(message.session);
    },

    /** Someone is waiting for a refresh: the capped background loop starts again. */
    resetFailedRounds() {
      failedRounds = 0;
    },

    /** True when signed in with a token known to have run out (the timer may have slept). */
    isExpired: () => store.getState().status === 'authenticated' && Date.now() >= expiresAtLocal,

    /** Milliseconds the held access token has left, on the local clock. */
    tokenLifeLeftMs: () => expiresAtLocal - Date.now(),
  };
}

export type SessionState = ReturnType<typeof createSessionState>;
