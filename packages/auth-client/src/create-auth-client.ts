import type { AuthClientRouter } from '@tessera/api';
import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import { AUTH_EXEMPT_PATHS, createAuthLink } from './auth-link';
import { type BackoffOptions, retryWithBackoff } from './backoff';
import { createTabCoordinator, type TabCoordinator } from './cross-tab';
import { type DeviceKeyStore, defaultDeviceKeyStore } from './dpop/device-key';
import { createDpopFetch } from './dpop/dpop-fetch';
import {
  type FailurePolicy,
  failurePolicy,
  getFailureReason,
  isTransientError,
  type SessionEndReason,
  SignedOutError,
} from './errors';
import { sessionIdOf } from './jwt-claims';
import { createRefreshTimer } from './refresh-timer';
import { needsSecondStep } from './second-step';
import { createSessionState, sameSession } from './session-state';
import { signedInFlagPresent } from './signed-in-flag';
import { createSingleFlight } from './single-flight';
import { createTokenStore } from './token-store';
import type {
  AuthState,
  ChangePasswordInput,
  IdentityProviderOption,
  PasskeyCeremony,
  ResetPasswordInput,
  SecondStep,
  SecondStepInput,
  Session,
  SignInInput,
  SignUpInput,
} from './types';

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
  /**
   * How this tab takes turns refreshing with the app's other tabs and shares sign-in, refresh and
   * sign-out with them. Defaults to `createTabCoordinator()` (Web Locks + BroadcastChannel where
   * available, else a single tab). The client owns it: `dispose()` closes it.
   */
  tabs?: TabCoordinator;
  /**
   * Whether a session may be there to restore; `restore()` skips the refresh when not. Defaults
   * to the server's `tessera_signed_in` flag cookie being present (always true outside a browser).
   */
  maybeSignedIn?: () => boolean;
  /**
   * Where this browser keeps the key its sessions are bound to (DPoP, RFC 9449): every request
   * then carries a proof signed with it, and a stolen access token or refresh cookie is useless
   * without the key. Defaults to IndexedDB where the browser has it and WebCrypto; `false` sends
   * no proofs (the server then keeps the session unbound, a Bearer session).
   */
  dpop?: DeviceKeyStore | false;
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
  /**
   * Gets a new access token; concurrent callers share one request, and across tabs one tab asks
   * the server while the others adopt its answer. Rejects if it fails.
   */
  refresh(): Promise<Session>;
  /**
   * Signs in with `auth.login`; rejects with the server's TRPCClientError. An account with
   * two-step verification answers a `SecondStep` (no session yet): finish with `completeSignIn`.
   */
  signIn(input: SignInInput): Promise<Session | SecondStep>;
  /**
   * The second step of a sign-in (`auth.twoFactor.verify`): a code, a recovery code, or a passkey
   * through `ceremony`. Every tab adopts the session, as after `signIn`. Rejects with the
   * server's TRPCClientError: UNAUTHORIZED with reason `INVALID_CODE` (try again) or
   * `PENDING_SIGN_IN_EXPIRED` (start again from the password).
   */
  completeSignIn(input: SecondStepInput): Promise<Session>;
  /** The outside providers the server offers (`auth.social.providers`): `[{ provider, name }]`. */
  identityProviders(): Promise<IdentityProviderOption[]>;
  /** Whether the server takes passkeys (`auth.passkeys.available`): off when PUBLIC_ORIGIN is an IP address. */
  passkeysAvailable(): Promise<boolean>;
  /**
   * Where to send the browser to sign in through `provider` (`auth.social.start`, which also binds
   * the request to this browser). Coming back, the server sets the session's cookie and sends the
   * browser to the app, whose `restore()` picks the session up: no token in any URL.
   */
  providerSignInUrl(provider: IdentityProviderOption['provider']): Promise<string>;
  /**
   * Signs in with a passkey: gets a challenge from `auth.passkeys.authenticationOptions`, lets
   * `ceremony` get the browser's signed answer, and sends it to `auth.passkeys.authenticate`.
   * Every tab adopts the session, as after `signIn`. Rejects with the server's TRPCClientError,
   * or with whatever `ceremony` rejects with (the user cancelled the prompt, say).
   */
  signInWithPasskey(ceremony: PasskeyCeremony): Promise<Session>;
  /** Creates an account with `auth.register` and signs in; rejects with the server's TRPCClientError. */
  signUp(input: SignUpInput): Promise<Session>;
  /**
   * Proves the password, or a passkey (through `ceremony`, as `signInWithPasskey` does), again in
   * this session with `auth.reauthenticate`, after a change was refused with `REAUTH_REQUIRED`:
   * every tab adopts the fresh access token (the same session and cookie), and the change may be
   * tried again. Rejects with the server's TRPCClientError (UNAUTHORIZED, reason
   * `INVALID_CREDENTIALS`, for a wrong password or another account's passkey).
   */
  reauthenticate(
    proof: { password: string; code?: string; recoveryCode?: string } | { ceremony: PasskeyCeremony },
  ): Promise<Session>;
  /**
   * Revokes the session on the server and forgets it locally; the other tabs are told at once,
   * before the server answers. Locally it always succeeds; `revoked` says whether the server
   * confirmed (or the session had already ended), since without that a reload could restore it.
   * A sign-in in another tab that happens meanwhile is left alone: it is a newer session.
   */
  signOut(): Promise<{ revoked: boolean }>;
  /**
   * Ends every session of the user with `auth.logoutAll` (other devices too), then signs out
   * every tab here. Rejects with the server's TRPCClientError if the server did not do it.
   */
  signOutEverywhere(): Promise<void>;
  /**
   * Changes the password with `auth.changePassword`. The server ends every session (a thief's
   * too) and returns a fresh one, which this tab and every other adopt. Rejects with the server's
   * TRPCClientError (UNAUTHORIZED for a wrong current password).
   */
  changePassword(input: ChangePasswordInput): Promise<Session>;
  /**
   * Gives an account without a password (one made by a provider) its first with
   * `auth.password.set`, after a fresh proof (else UNAUTHORIZED `REAUTH_REQUIRED`). As with
   * `changePassword`, the server ends every session and returns a fresh one for every tab here.
   */
  setPassword(input: { newPassword: string }): Promise<Session>;
  /**
   * Asks for a password-reset mail with `auth.password.requestReset`. Resolves the same whether
   * or not the address has an account; rejects only when throttled or unreachable.
   */
  requestPasswordReset(email: string): Promise<void>;
  /**
   * Sets a new password from a reset link's token and signs in (every other session ends).
   * `removedPasskeys`: passkeys removed because the reset was the address's first proof;
   * `keptPasskeys`: those the account keeps, for the owner to check. An account with two-step
   * verification answers a `SecondStep` instead of the session (the password is set all the same).
   */
  resetPassword(
    input: ResetPasswordInput,
  ): Promise<(Session | SecondStep) & { removedPasskeys: number; keptPasskeys: number }>;
  /** Confirms the address with a verification link's token; a signed-in tab then sees it at once. */
  verifyEmail(token: string): Promise<void>;
  /** Mails the signed-in user a fresh confirmation link (throttled). */
  requestEmailVerification(): Promise<void>;
  /**
   * Mails a link to `newEmail` that makes it the account's address (`auth.email.requestChange`,
   * a fresh proof first, else UNAUTHORIZED `REAUTH_REQUIRED`). Resolves the same whether or not
   * the address is taken.
   */
  requestEmailChange(newEmail: string): Promise<void>;
  /**
   * Makes a change link's address the account's (`auth.email.confirmChange`): every other session
   * ends; a tab signed in to that account keeps its session, and every tab here sees the new
   * address at once.
   */
  confirmEmailChange(token: string): Promise<{ email: string; endedSessions: number }>;
  /**
   * Puts the old address back with its undo link (`auth.email.undoChange`): every session ends,
   * this browser's too.
   */
  undoEmailChange(token: string): Promise<{ email: string; endedSessions: number }>;
  /**
   * Deletes the account (`auth.account.delete`, a fresh proof first, and the address typed again),
   * then signs out every tab here (`ACCOUNT_DELETED`). Rejects with the server's TRPCClientError
   * if the server did not delete it (PRECONDITION_FAILED for the last admin).
   */
  deleteAccount(input: { confirmEmail: string }): Promise<void>;
  /**
   * `{ authorization: 'Bearer …' }` when signed in, else `{}`: pass to your terminating link,
   * with {@link AuthClient.fetch}, which sends a token bound to this device as `DPoP …` instead.
   */
  headers(): Record<string, string>;
  /**
   * A `fetch` that adds this browser's DPoP proof to every request (and keeps up with the
   * server's nonce): pass it to your app's httpBatchLink so its calls carry proofs. Without it,
   * the calls of a session bound to this device are refused (`DPOP_PROOF_MISSING`). Where the
   * browser cannot keep a key, it is the plain `fetch`.
   */
  readonly fetch: typeof fetch;
  /** Put first in your client's links: waits for refreshes, refreshes and retries once on UNAUTHORIZED. */
  readonly link: TRPCLink<AuthClientRouter>;
  /**
   * Stops the proactive timer, stops listening to other tabs and closes the channel. For tests
   * and hot module replacement; the client should not be used afterwards.
   */
  dispose(): void;
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

/**
 * A refresh request that has not answered by then is abandoned (and retried). Without a limit a
 * hung request would hold the refresh lock, and with it every tab's calls, indefinitely.
 */
const REFRESH_TIMEOUT_MS = 10_000;

/**
 * Password changes and sign-outs run with no refresh possible (they hold the refresh lock, or end
 * the session); a token with less life than this is renewed first.
 */
const MIN_TOKEN_LIFE_FOR_SESSION_CALL_MS = 30_000;

const settle = async (promise: Promise<unknown> | null): Promise<void> => {
  await promise?.catch(() => undefined);
};

/** Runs a request that gives up after REFRESH_TIMEOUT_MS: none may hold the refresh lock forever. */
const withTimeout = async <T>(request: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), REFRESH_TIMEOUT_MS);
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timeout);
  }
};

/**
 * Creates the auth client: in-memory token, single-flight refresh, proactive refresh at 80 % of
 * the token's lifetime, and a tRPC link for the app's own client. Across tabs, one refreshes at a
 * time (a Web Lock) and the others adopt its session (a BroadcastChannel message); sign-in and
 * sign-out reach every tab the same way. Every request carries a DPoP proof from this browser's
 * device key (see `dpop`): sign-in and refresh bind the session to it.
 *
 * @example
 * const auth = createAuthClient({ url: '/trpc' });
 * // AppRouter: your app's router, with the auth router mounted at `auth`.
 * const trpc = createTRPCClient<AppRouter>({
 *   links: [auth.link, httpBatchLink({ url: '/trpc', headers: auth.headers, fetch: auth.fetch })],
 * });
 * await auth.restore();
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const store = createTokenStore();
  const maybeSignedIn = options.maybeSignedIn ?? (() => signedInFlagPresent());
  const tabs = options.tabs ?? createTabCoordinator();
  let disposed = false;

  // Every request of this client, and the app's through `fetch`, goes through one DPoP fetch: one
  // key in memory and one server nonce for the page.
  const baseFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const dpopFetch = createDpopFetch(baseFetch, options.dpop === undefined ? defaultDeviceKeyStore() : options.dpop);
  /**
   * This tab signed out: the stored key goes too, so the next sign-in makes a new one, and a
   * refresh cookie the server could not be told to revoke cannot be used without it. Run under the
   * refresh lock, so that no sign-in in another tab is binding a session to the key meanwhile.
   */
  const discardDeviceKey = () => settle(dpopFetch.discardKey());

  const timer = createRefreshTimer(() => {
    // Failures are already handled in `refreshSession`; the timer has no one to report to.
    refresh.run().catch(() => undefined);
  });
  // A disposed client must not come back to life through a refresh that was still in flight.
  const schedule = (delayMs: number) => {
    if (!disposed) timer.schedule(delayMs);
  };

  const state = createSessionState({ store, tabs, schedule, clearTimer: () => timer.clear() });

  // A refresh someone is waiting for (a call, restore, the app) restarts the capped background loop.
  const refreshOnDemand = (): Promise<Session> => {
    state.resetFailedRounds();
    return refresh.run();
  };

  const headers = (): Record<string, string> => {
    const token = store.getAccessToken();
    return token === null ? {} : { authorization: `Bearer ${token}` };
  };

  const link = createAuthLink<AuthClientRouter>({
    // After sleep the proactive timer may fire late (its clock can pause while the machine
    // sleeps), so a call must not leave with a token known to be dead: refresh first, once.
    ready: () => settle(state.isExpired() ? refreshOnDemand() : refresh.inFlight()),
    getAccessToken: store.getAccessToken,
    refresh: () =>
      refreshOnDemand().then(
        () => true,
        () => false,
      ),
    endSession: (reason, tokenSent, cause) => state.endSession(reason, tokenSent, cause),
  });

  // Unbatched `httpLink` with fetch's default `credentials: 'same-origin'`: each auth call is its
  // own request, so the Set-Cookie of `auth.login` / `auth.refresh` reaches the browser.
  const api = createTRPCClient<AuthClientRouter>({
    links: [
      link,
      httpLink({
        url: options.url,
        fetch: dpopFetch,
        headers: ({ op }) => (AUTH_EXEMPT_PATHS.has(op.path) ? {} : headers()),
      }),
    ],
  });

  // Without the link: a password change runs under the refresh lock (its answer replaces the
  // shared cookie, so no other tab may rotate it meanwhile), where the link's refresh would wait
  // on that same lock.
  const direct = createTRPCClient<AuthClientRouter>({
    links: [httpLink({ url: options.url, fetch: dpopFetch, headers })],
  });

  // Calls that end a session, with that session's token whatever the store holds by then, also
  // run under the lock and so without the link. With `keepCookie`, the browser ignores the
  // answer's Set-Cookie (fetch's credentials 'omit'): a newer session's cookie survives it.
  const endingClient = (accessToken: string, keepCookie: boolean) =>
    createTRPCClient<AuthClientRouter>({
      links: [
        httpLink({
          url: options.url,
          fetch: keepCookie ? (input, init) => dpopFetch(input, { ...init, credentials: 'omit' }) : dpopFetch,
          headers: { authorization: `Bearer ${accessToken}` },
        }),
      ],
    });

  /**
   * A call that ends every session of the user, this one included ("sign out everywhere",
   * deleting the account): made with this session's token under the refresh lock, then every tab
   * here signs out with `reason`, unless a newer session took this one's place meanwhile. Rejects
   * with the server's error if it did not happen (and signs out if that error says the session
   * is over anyway).
   */
  const endEverySession = async (
    call: (api: ReturnType<typeof endingClient>, signal: AbortSignal) => Promise<unknown>,
    reason: SessionEndReason,
  ): Promise<void> => {
    await settle(refresh.inFlight());
    await ensureFreshToken();
    const token = store.getAccessToken();
    if (token === null) throw new SignedOutError();
    await tabs.withRefreshLock(async () => {
      try {
        await withTimeout((signal) => call(endingClient(token, false), signal));
      } catch (error) {
        state.endIfSessionOver(error, token);
        throw error;
      }
      const held = store.getAccessToken();
      if (held !== null && sameSession(held, token)) {
        state.endHere(held, reason);
        await discardDeviceKey();
      }
    });
  };

  /** Renews a token about to run out before a call that cannot refresh on the way. */
  const ensureFreshToken = async () => {
    // Signed out, there is nothing to renew, and a refresh could only revive what was ended.
    if (store.getState().status !== 'authenticated') return;
    if (state.tokenLifeLeftMs() < MIN_TOKEN_LIFE_FOR_SESSION_CALL_MS) await refreshOnDemand();
  };

  const requestRefresh = (): Promise<Session> =>
    withTimeout((signal) => api.auth.refresh.mutate(undefined, { signal }));

  // One refresh at a time across all tabs: the server rotates the shared cookie on every use.
  const refreshSession = async (): Promise<Session> => {
    const requestedAt = store.version();
    const tokenBefore = store.getAccessToken();

    return tabs.withRefreshLock(async () => {
      const waited = store.getState();
      // Another tab refreshed or signed in while we queued for the lock, and its message already
      // put the new session here: use it, and spare the server (and the cookie) a rotation.
      if (waited.status === 'authenticated' && waited.session.accessToken !== tokenBefore) return waited.session;
      // Signed out (here or in another tab) while we queued: asking now could only revive it.
      if (waited.status === 'anonymous' && store.version() !== requestedAt) throw new SignedOutError();

      const version = store.version();
      try {
        const session = await retryWithBackoff(requestRefresh, REFRESH_RETRY);
        // A sign-in or sign-out while we waited wins over this older answer.
        if (store.version() === version) {
          state.refreshedHere(session);
        }
        return session;
      } catch (error) {
        if (store.version() === version) state.refreshFailed(error);
        throw error;
      }
    });
  };
  const refresh = createSingleFlight(refreshSession);

  const stopListening = tabs.onMessage((message) => {
    state.onTabMessage(message);
    // Another tab signed this one out: its copy of the key goes. The stored key is that tab's to
    // discard, since only it knows whether a newer sign-in has bound a session to it.
    if (message.type === 'signed-out' && store.getState().status === 'anonymous') dpopFetch.forgetKey();
  });

  /**
   * A credential change that ends every session and answers a fresh one (a password changed or
   * set): under the refresh lock, adopted by this tab and every other.
   */
  const replaceSession = async (change: () => Promise<Session>): Promise<Session> => {
    await ensureFreshToken();
    return tabs.withRefreshLock(async () => {
      const token = store.getAccessToken();
      const session = await change().catch((error: unknown) => {
        // Revoked from another device meanwhile: not a wrong password, the end of the session.
        if (token !== null) state.endIfSessionOver(error, token);
        throw error;
      });
      state.accept(session);
      tabs.publish({ type: 'signed-in', session });
      return session;
    });
  };
  /** Runs a sign-in; a session it answers (not a second step) this tab and every other adopt. */
  const establish = async <T extends Session | SecondStep>(request: () => Promise<T>): Promise<T> => {
    // A restore still on the wire could answer after us and overwrite the new cookie; the lock
    // keeps the other tabs' refreshes off the wire too. Only procedures the link exempts may run
    // inside the lock: a protected one could wait on a refresh, which would wait on this lock.
    await settle(refresh.inFlight());
    return tabs.withRefreshLock(async () => {
      const answer = await request();
      if (!needsSecondStep(answer)) {
        state.accept(answer);
        tabs.publish({ type: 'signed-in', session: answer });
      }
      return answer;
    });
  };

  return {
    getState: store.getState,
    getSession: () => store.getState().session,
    getAccessToken: store.getAccessToken,
    subscribe: store.subscribe,
    async restore() {
      // A browser that never signed in (or signed out) has no cookie to restore from: a refresh
      // could only answer 401, so the visitor sees the sign-in page at once instead.
      if (store.getState().status === 'loading' && !maybeSignedIn()) state.becomeAnonymous();
      if (store.getState().status === 'loading') await settle(refreshOnDemand());
      return store.getState().status === 'authenticated' ? 'authenticated' : 'anonymous';
    },
    refresh: refreshOnDemand,
    signIn: (input) => establish(() => api.auth.login.mutate(input)),
    identityProviders: () => api.auth.social.providers.query(),
    passkeysAvailable: async () => (await api.auth.passkeys.available.query()).available,
    async providerSignInUrl(provider) {
      return (await api.auth.social.start.mutate({ provider })).url;
    },
    async completeSignIn(input) {
      const { pendingSignIn } = input;
      const proof =
        'ceremony' in input
          ? { passkey: await input.ceremony(await api.auth.passkeys.authenticationOptions.mutate()) }
          : 'code' in input
            ? { code: input.code }
            : { recoveryCode: input.recoveryCode };
      return establish(() => api.auth.twoFactor.verify.mutate({ pendingSignIn, ...proof }));
    },
    async signInWithPasskey(ceremony) {
      // The prompt may stay open a long while: only the final exchange runs under the lock.
      const response = await ceremony(await api.auth.passkeys.authenticationOptions.mutate());
      return establish(() => api.auth.passkeys.authenticate.mutate({ response }));
    },
    signUp: (input) => establish(() => api.auth.register.mutate(input)),
    async reauthenticate(proof) {
      const input =
        'password' in proof
          ? { password: proof.password, code: proof.code, recoveryCode: proof.recoveryCode }
          : { passkey: await proof.ceremony(await api.auth.passkeys.authenticationOptions.mutate()) };
      // Under the refresh lock, as a password change: a refresh in another tab that read the
      // session row before the proof cannot land after it with the old `auth_time`.
      await settle(refresh.inFlight());
      await ensureFreshToken();
      return tabs.withRefreshLock(async () => {
        const session = await direct.auth.reauthenticate.mutate(input);
        state.refreshedHere(session);
        return session;
      });
    },
    async requestPasswordReset(email) {
      await api.auth.password.requestReset.mutate({ email });
    },
    async resetPassword(input) {
      const passkeys = { removedPasskeys: 0, keptPasskeys: 0 };
      // Every tab adopts the contract's Session; what became of the passkeys is for this page only.
      const answer = await establish(async () => {
        const { removedPasskeys, keptPasskeys, ...rest } = await api.auth.password.reset.mutate(input);
        Object.assign(passkeys, { removedPasskeys, keptPasskeys });
        return rest;
      });
      return { ...answer, ...passkeys };
    },
    async verifyEmail(token) {
      await api.auth.email.verify.mutate({ token });
      // A refresh carries the user as stored now: the banner asking to confirm goes away.
      if (store.getState().status === 'authenticated') await settle(refreshOnDemand());
    },
    async requestEmailVerification() {
      await ensureFreshToken();
      await direct.auth.email.requestVerification.mutate();
    },
    async requestEmailChange(newEmail) {
      await ensureFreshToken();
      await direct.auth.email.requestChange.mutate({ newEmail });
    },
    async confirmEmailChange(token) {
      // With the token, if signed in: the server keeps this session when it is the account's.
      await settle(ensureFreshToken());
      const changed = await api.auth.email.confirmChange.mutate({ token });
      // A refresh carries the new address (or finds this session ended, when it was another account's).
      if (store.getState().status === 'authenticated') await settle(refreshOnDemand());
      return changed;
    },
    async undoEmailChange(token) {
      const undone = await api.auth.email.undoChange.mutate({ token });
      // Every session ended: a signed-in tab here finds out, and says why.
      if (store.getState().status === 'authenticated') await settle(refreshOnDemand());
      return undone;
    },
    deleteAccount: (input) =>
      endEverySession((api, signal) => api.auth.account.delete.mutate(input, { signal }), 'ACCOUNT_DELETED'),
    async signOut() {
      // The other tabs first: they must not keep showing the session while we wait on the network.
      const ending = store.getAccessToken();
      tabs.publish({ type: 'signed-out', sessionId: ending && sessionIdOf(ending), reason: 'SIGNED_OUT' });
      await settle(refresh.inFlight());
      await settle(ensureFreshToken());
      // Stop the proactive refresh first so it cannot revive the session mid-logout.
      timer.clear();
      const token = store.getAccessToken();
      if (token === null) {
        // Already signed out (say, revoked from another device): keep that explanation.
        const current = store.getState();
        state.becomeAnonymous(current.status === 'anonymous' ? current.endedBecause : 'SIGNED_OUT');
        return { revoked: false };
      }
      // Under the lock, so that no sign-in in another tab can land between our request and the
      // cookie-clearing answer, and see its fresh cookie cleared.
      return tabs.withRefreshLock(async () => {
        const held = store.getAccessToken();
        const superseded = held !== null && !sameSession(held, token);
        const logout = (accessToken: string) =>
          withTimeout((signal) => endingClient(accessToken, superseded).auth.logout.mutate(undefined, { signal })).then(
            (): FailurePolicy | 'done' => 'done',
            (error: unknown) => failurePolicy(getFailureReason(error)),
          );
        let outcome = await logout(token);
        // The server found the token expired (a clock that slept): we hold the lock, so refresh
        // here and try once more, unless the cookie now belongs to another tab's sign-in.
        if (outcome === 'refresh' && !superseded) {
          const renewed = await requestRefresh().catch(() => null);
          if (renewed) outcome = await logout(renewed.accessToken);
        }
        // If the server cannot be told, we sign out here all the same; `revoked: false` tells the
        // caller that the refresh cookie may still restore the session on the next load. A
        // refusal because the session has ended already is as revoked as it gets.
        if (!superseded) {
          state.becomeAnonymous('SIGNED_OUT');
          await discardDeviceKey();
        }
        return { revoked: outcome === 'done' || outcome === 'end-session' };
      });
    },
    signOutEverywhere: () =>
      endEverySession((api, signal) => api.auth.logoutAll.mutate(undefined, { signal }), 'SIGNED_OUT_EVERYWHERE'),
    changePassword: (input) => replaceSession(() => direct.auth.changePassword.mutate(input)),
    setPassword: (input) => replaceSession(() => direct.auth.password.set.mutate(input)),
    headers,
    fetch: (input, init) => dpopFetch(input, init),
    link,
    dispose() {
      disposed = true;
      timer.clear();
      stopListening();
      tabs.close();
    },
  };
}
