import type { SessionEndReason } from './errors';
import type { AuthState, Session } from './types';

/**
 * The one place the access token lives: a closure variable. Never localStorage, sessionStorage,
 * IndexedDB or a cookie, because any script injected into the page could read those; a reload
 * wipes the token and `auth.refresh` (HttpOnly cookie) brings it back.
 */
export interface TokenStore {
  /** The current immutable snapshot. */
  getState(): AuthState;
  /** The access token, or `null` when signed out or not yet restored. */
  getAccessToken(): string | null;
  /**
   * Counts every sign-in, refresh and sign-out. An async task compares it before and after
   * to tell whether its result is still wanted (e.g. a refresh that finished after a sign-out).
   */
  version(): number;
  /** Stores a session and notifies subscribers. */
  setSession(session: Session): void;
  /**
   * Forgets the session and notifies subscribers. Already anonymous, a reason replaces the one
   * shown, and no reason keeps it: an explanation is not wiped by a later, plainer sign-out.
   */
  setAnonymous(endedBecause?: SessionEndReason | null): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

const LOADING: AuthState = { status: 'loading', session: null };

/**
 * Creates an empty store in the `loading` state.
 *
 * @example
 * const store = createTokenStore();
 * store.subscribe(() => console.log(store.getState().status));
 * store.setSession(session); // logs "authenticated"
 */
export function createTokenStore(): TokenStore {
  let state: AuthState = LOADING;
  let version = 0;
  const listeners = new Set<() => void>();

  const commit = (next: AuthState) => {
    state = next;
    version++;
    // Copy first: a listener may unsubscribe itself while we iterate.
    for (const listener of [...listeners]) listener();
  };

  return {
    getState: () => state,
    getAccessToken: () => state.session?.accessToken ?? null,
    version: () => version,
    setSession: (session) => commit({ status: 'authenticated', session }),
    setAnonymous: (endedBecause = null) => {
      if (state.status === 'anonymous' && (endedBecause === null || endedBecause === state.endedBecause)) return;
      commit({ status: 'anonymous', session: null, endedBecause });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
