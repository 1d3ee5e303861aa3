import type { AppRouter } from '@tessera/api';
import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import { AUTH_EXEMPT_PATHS, createAuthLink } from './auth-link';
import { type BackoffOptions, retryWithBackoff } from './backoff';
import { isCredentialError, isTransientError } from './errors';
import { createRefreshTimer, proactiveRefreshDelay } from './refresh-timer';
import { createSingleFlight } from './single-flight';
import { tokenLifetimeMs } from './token-lifetime';
import { createTokenStore } from './token-store';
import type { AuthState, Session, SignInInput, SignUpInput } from './types';

/**
 * Options for {@link createAuthClient}.
 *
 * @example
 * createAuthClient({ url: '/trpc' } satisfies AuthClientOptions);
 */
export interface AuthClientOptions {
  /** Where the tRPC handler is mounted, e.g. `'/trpc'`. Same origin, so the cookie travels. */
  url: string;
  /** A `fetch` to use instead of the global one (tests, custom instrumentation). */
  fetch?: typeof fetch;
}

/**
 * The browser side of a Tessera session. Create one per page, at module level.
 *
 * @example
 * const auth: AuthClient = createAuthClient({ url: '/trpc' });
 * auth.subscribe(() => render(auth.getState()));
 * await auth.restore();
 */
export interface AuthClient {
  /** The current snapshot; the same object until something changes. */
  getState(): AuthState;
  /** The current session, or `null`. */
  getSession(): Session | null;
  /** The current access token, or `null`. Held in memory only. */
  getAccessToken(): string | null;
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Call once on page load: asks `auth.refresh` (the HttpOnly cookie rides along) for a new
   * session. Leaves `loading` for `authenticated` or `anonymous`; never rejects.
   */
  restore(): Promise<'authenticated' | 'anonymous'>;
  /** Gets a new access token; concurrent callers share one request. Rejects if it fails. */
  refresh(): Promise<Session>;
  /** Signs in with `auth.login`; rejects with the server's TRPCClientError. */
  signIn(input: SignInInput): Promise<Session>;
  /** Creates an account with `auth.register` and signs in; rejects with the server's TRPCClientError. */
  signUp(input: SignUpInput): Promise<Session>;
  /**
   * Revokes the session on the server and forgets it locally. Locally it always succeeds;
   * `revoked` says whether the server confirmed, since without that a reload could restore it.
   */
  signOut(): Promise<{ revoked: boolean }>;
  /** `{ authorization: 'Bearer …' }` when signed in, else `{}`: pass to your terminating link. */
  headers(): Record<string, string>;
  /** Put first in your client's links: waits for refreshes, refreshes and retries once on UNAUTHORIZED. */
  readonly link: TRPCLink<AppRouter>;
}

/**
 * A refresh that fails for want of a network or a healthy server is tried again a couple of
 * times, briefly: the user may be on a train. The cap keeps a reload from hanging in `loading`.
 */
const REFRESH_RETRY: BackoffOptions = {
  attempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  shouldRetry: isTransientError,
};

/** After all retries failed for a transient reason, the session is kept and tried again this much later. */
const RETRY_LATER_MS = 30_000;

const settle = async (promise: Promise<unknown> | null): Promise<void> => {
  await promise?.catch(() => undefined);
};

/**
 * Creates the auth client: in-memory token, single-flight refresh, proactive refresh at 80 % of
 * the token's lifetime, and a tRPC link for the app's own client.
 *
 * @example
 * const auth = createAuthClient({ url: '/trpc' });
 * const trpc = createTRPCClient<AppRouter>({
 *   links: [auth.link, httpBatchLink({ url: '/trpc', headers: auth.headers })],
 * });
 * await auth.restore();
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const store = createTokenStore();
  const timer = createRefreshTimer(() => {
    // Failures are already handled in `refreshSession`; the timer has no one to report to.
    refresh.run().catch(() => undefined);
  });

  const headers = (): Record<string, string> => {
    const token = store.getAccessToken();
    return token === null ? {} : { authorization: `Bearer ${token}` };
  };

  const link = createAuthLink<AppRouter>({
    ready: () => settle(refresh.inFlight()),
    getAccessToken: store.getAccessToken,
    refresh: () =>
      refresh.run().then(
        () => true,
        () => false,
      ),
  });

  // Unbatched `httpLink` with fetch's default `credentials: 'same-origin'`: each auth call is its
  // own request, so the Set-Cookie of `auth.login` / `auth.refresh` reaches the browser.
  const api = createTRPCClient<AppRouter>({
    links: [
      link,
      httpLink({
        url: options.url,
        fetch: options.fetch,
        headers: ({ op }) => (AUTH_EXEMPT_PATHS.has(op.path) ? {} : headers()),
      }),
    ],
  });

  const acceptSession = (session: Session) => {
    const lifetime = tokenLifetimeMs(session, Date.now());
    store.setSession(session);
    timer.schedule(proactiveRefreshDelay(lifetime));
  };

  const becomeAnonymous = () => {
    timer.clear();
    store.setAnonymous();
  };

  // Cross-tab coordination slots in here later: wrap the request in a Web Lock so one tab
  // refreshes, and broadcast the outcome of `acceptSession` / `becomeAnonymous` to the others.
  const refreshSession = async (): Promise<Session> => {
    const version = store.version();
    try {
      const session = await retryWithBackoff(() => api.auth.refresh.mutate(), REFRESH_RETRY);
      // A sign-in or sign-out while we waited wins over this older answer.
      if (store.version() === version) acceptSession(session);
      return session;
    } catch (error) {
      if (store.version() === version) {
        const { status } = store.getState();
        // Only a rejected credential ends the session; a reload that cannot reach the server must
        // still leave `loading`, but the cookie stays, so the next reload can restore.
        if (isCredentialError(error) || status === 'loading') becomeAnonymous();
        else if (status === 'authenticated') timer.schedule(RETRY_LATER_MS);
      }
      throw error;
    }
  };
  const refresh = createSingleFlight(refreshSession);

  const establish = async (request: () => Promise<Session>): Promise<Session> => {
    // A restore still on the wire could answer after us and overwrite the new cookie.
    await settle(refresh.inFlight());
    const session = await request();
    acceptSession(session);
    return session;
  };

  return {
    getState: store.getState,
    getSession: () => store.getState().session,
    getAccessToken: store.getAccessToken,
    subscribe: store.subscribe,
    async restore() {
      if (store.getState().status === 'loading') await settle(refresh.run());
      return store.getState().status === 'authenticated' ? 'authenticated' : 'anonymous';
    },
    refresh: refresh.run,
    signIn: (input) => establish(() => api.auth.login.mutate(input)),
    signUp: (input) => establish(() => api.auth.register.mutate(input)),
    async signOut() {
      await settle(refresh.inFlight());
      // Stop the proactive refresh first so it cannot revive the session mid-logout.
      timer.clear();
      // If the server cannot be told, we sign out here all the same; `revoked: false` tells the
      // caller that the refresh cookie may still restore the session on the next load.
      const revoked =
        store.getAccessToken() !== null &&
        (await api.auth.logout.mutate().then(
          () => true,
          () => false,
        ));
      becomeAnonymous();
      return { revoked };
    },
    headers,
    link,
  };
}
