import type { SessionEndCause } from '@tessera/contract';
import type { Operation, TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { type FailureReason, failurePolicy, getFailureReason, getSessionEndCause } from './errors';

/**
 * Procedures the link leaves alone. They establish the credential rather than use it, so an
 * UNAUTHORIZED from them means "wrong password" or "no session", and refreshing would be wrong
 * (for `auth.refresh` itself, waiting on the refresh in flight would even wait on itself).
 *
 * @example
 * AUTH_EXEMPT_PATHS.has('auth.login'); // true
 */
export const AUTH_EXEMPT_PATHS: ReadonlySet<string> = new Set([
  'auth.login',
  'auth.register',
  'auth.refresh',
  'auth.passkeys.available',
  'auth.passkeys.authenticationOptions',
  'auth.passkeys.authenticate',
  'auth.twoFactor.verify',
  'auth.social.providers',
  'auth.social.start',
]);

/**
 * What the link needs from the auth client; an interface so tests can drive it directly.
 *
 * @example
 * createAuthLink<AppRouter>({
 *   ready: async () => {},
 *   getAccessToken: () => token,
 *   refresh: async () => (token = await fetchNewToken()) !== null,
 * });
 */
export interface AuthLinkOptions {
  /**
   * Resolves (never rejects) once no refresh is in flight, so no call leaves with a stale token.
   * The auth client also starts a refresh here when the token is known to have expired.
   */
  ready(): Promise<void>;
  /** The token the terminating link's `headers()` is about to send. */
  getAccessToken(): string | null;
  /** Refreshes (shared with concurrent callers); resolves `true` when a new token is in place. */
  refresh(): Promise<boolean>;
  /**
   * The server says the session of `tokenSent` is over (revoked, reused, expired): the auth
   * client signs out every tab that still holds it. Called before the caller sees the error.
   */
  endSession(reason: FailureReason, tokenSent: string, cause?: SessionEndCause | null): void;
  /** Which operations to pass straight through; defaults to {@link AUTH_EXEMPT_PATHS}. */
  isExempt?(op: Operation): boolean;
}

/**
 * A tRPC link that sits in front of the terminating link. It holds each call until any refresh
 * in flight settles. When the server refuses a call that carried a token, the refusal's
 * `data.reason` decides (see `failurePolicy`): an expired token is refreshed once (one shared
 * refresh for all such calls) and the call retried once; an ended session signs out; anything
 * else reaches the caller as it is. If the refresh fails, the original error reaches the caller.
 *
 * The header itself is added by the terminating link's `headers` option (the auth client's
 * `headers()`), which reads the token at send time, so a retry picks up the new token; its
 * `fetch` (the auth client's `fetch`) adds the DPoP proof, fresh for every attempt.
 *
 * @example
 * createTRPCClient<AppRouter>({
 *   links: [auth.link, httpBatchLink({ url: '/trpc', headers: auth.headers, fetch: auth.fetch })],
 * });
 */
export function createAuthLink<TRouter extends AnyTRPCRouter>(options: AuthLinkOptions): TRPCLink<TRouter> {
  const isExempt = options.isExempt ?? ((op: Operation) => AUTH_EXEMPT_PATHS.has(op.path));

  // Another call may have refreshed (or another tab signed in) while ours was on the wire: then
  // retry with that token instead of spending a refresh or ending a session that is gone already.
  const tokenChanged = (tokenSent: string) => {
    const current = options.getAccessToken();
    return current !== null && current !== tokenSent;
  };
  const recover = async (tokenSent: string): Promise<boolean> =>
    tokenChanged(tokenSent) || options.refresh().catch(() => false);

  return () =>
    ({ op, next }) => {
      if (isExempt(op)) return next(op);

      return observable((observer) => {
        let closed = false;
        let upstream: Unsubscribable | undefined;

        const send = (isRetry: boolean) => {
          if (closed) return;
          const tokenSent = options.getAccessToken();
          upstream = next(op).subscribe({
            next: (envelope) => observer.next(envelope),
            complete: () => observer.complete(),
            error: (error) => {
              const reason = getFailureReason(error);
              const policy = failurePolicy(reason);
              // No token sent means we were never signed in: nothing to refresh or end.
              if (tokenSent === null || reason === undefined || policy === 'report') {
                observer.error(error);
              } else if (!isRetry && tokenChanged(tokenSent)) {
                send(true);
              } else if (policy === 'end-session') {
                options.endSession(reason, tokenSent, getSessionEndCause(error));
                observer.error(error);
              } else if (isRetry) {
                observer.error(error);
              } else {
                void recover(tokenSent).then((recovered) => {
                  if (closed) return;
                  if (recovered) send(true);
                  else observer.error(error);
                });
              }
            },
          });
        };

        const start = () => send(false);
        options.ready().then(start, start);

        return () => {
          closed = true;
          upstream?.unsubscribe();
        };
      });
    };
}
