import {
  DEFAULT_REFRESH_COOKIE,
  PROVIDER_CALLBACK_PATH,
  pendingSignInCookie,
  providerBindingCookie,
  refreshCookie,
} from '@tessera/api';
import {
  type Auth,
  AuthError,
  IDENTITY_PROVIDERS,
  type IdentityProvider,
  RateLimitedError,
  SOCIAL_REFUSALS,
  type SocialRefusal,
} from '@tessera/auth';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestInfo } from './request-info';

/** The reason a refusal carries, if it is one the SPA knows how to say. */
function refusalOf(error: unknown): SocialRefusal | null {
  if (!(error instanceof AuthError) || error.code !== 'SOCIAL_SIGN_IN_REFUSED') return null;
  return SOCIAL_REFUSALS.find((reason) => reason === error.details.reason) ?? null;
}

/**
 * `GET /auth/callback/<provider>`: where a provider sends the browser back. The answer is checked
 * (auth.completeSocialSignIn); then the refresh cookie is set and the browser goes to the app,
 * which restores the session with its usual silent refresh: no token in any URL. An account
 * with two-step verification goes to the sign-in page's second step instead (its pending sign-in
 * in an HttpOnly cookie); a link or a proof goes back to the Account page. Every refusal
 * goes to a fixed page of ours with one known reason (`?provider_error=`): nothing from the
 * request chooses where the browser goes.
 */
export function registerProviderCallback(app: FastifyInstance, auth: Auth, publicOrigin: string): void {
  const cookie = refreshCookie(DEFAULT_REFRESH_COOKIE);
  const isProvider = (value: string): value is IdentityProvider => IDENTITY_PROVIDERS.some((known) => known === value);

  app.get<{ Params: { provider: string } }>(`${PROVIDER_CALLBACK_PATH}/:provider`, async (request, reply) => {
    const headers = { appendHeader: (name: string, value: string) => void reply.header(name, value) };
    reply.header('cache-control', 'no-store');
    // The request is spent whatever happens next.
    providerBindingCookie.clear(headers);
    const back = (
      path: '/' | '/account' | '/sign-in',
      reason: SocialRefusal | 'rate_limited' | null = null,
    ): FastifyReply => reply.redirect(reason ? `${path}?provider_error=${reason}` : path, 303);

    const provider = request.params.provider;
    if (!isProvider(provider)) return back('/sign-in', 'state');
    // The URL as the provider called it, on our public origin (its query carries code and state).
    const callbackUrl = new URL(request.url, publicOrigin);
    const info = requestInfo(request);
    try {
      const done = await auth.completeSocialSignIn(
        provider,
        callbackUrl,
        providerBindingCookie.read(info.cookieHeader),
        { userAgent: info.userAgent, ip: info.ip },
      );
      if (done.kind === 'linked') return back('/account');
      if (done.kind === 'reauthenticated') return reply.redirect(`/account?reauthenticated=${done.provider}`, 303);
      if (done.kind === 'second_step') {
        // The handle goes in an HttpOnly cookie for auth.twoFactor.verify, never in the URL.
        pendingSignInCookie.set(headers, done.pendingSignIn, done.expiresAt);
        return reply.redirect(`/sign-in?second_step=${done.provider}`, 303);
      }
      cookie.set(headers, done.signedIn.refreshToken, done.signedIn.refreshTokenExpiresAt);
      return back('/');
    } catch (error) {
      // A browser that comes back too often from one address lands on a page, not on JSON.
      if (error instanceof RateLimitedError) {
        reply.header('retry-after', String(error.retryAfterSeconds));
        return back('/sign-in', 'rate_limited');
      }
      // Any other refusal (the credentials moved while the sign-in started): start again.
      const reason = refusalOf(error) ?? (error instanceof AuthError ? 'state' : null);
      if (reason === null) {
        // A browser navigation gets a page, not JSON, even when something of ours failed.
        request.log.error({ event: 'provider_callback_failed', provider, err: error }, 'provider callback failed');
        return back('/sign-in', 'provider');
      }
      request.log.info(
        {
          event: 'provider_sign_in_refused',
          provider,
          reason,
          why: error instanceof Error ? error.message : String(error),
        },
        'provider sign-in refused',
      );
      // A link or a proof was asked for from the Account page, by someone signed in: back there.
      const fromAccount =
        error instanceof AuthError && ['link', 'reauthenticate'].includes(error.details.purpose ?? '');
      return back(fromAccount ? '/account' : '/sign-in', reason);
    }
  });
}
