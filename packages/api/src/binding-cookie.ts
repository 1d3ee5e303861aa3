import { TRPC_PATH } from '@tessera/contract';
import { parse, serialize } from 'cookie';
import type { ResponseHeaders } from './refresh-cookie';

/** The cookie that binds a provider sign-in to the browser that started it. */
export const PROVIDER_BINDING_COOKIE = '__Secure-tessera_provider';
/** Where providers send the browser back: the only path the cookie goes to. */
export const PROVIDER_CALLBACK_PATH = '/auth/callback';
/** The cookie that carries a provider sign-in's pending second step to `auth.twoFactor.verify`. */
export const PENDING_SIGN_IN_COOKIE = '__Secure-tessera_second_step';

/**
 * A short-lived HttpOnly, Secure cookie sent to one path only, holding a random value page script
 * never sees. `read` answers null when there is none or several (a planted duplicate binds nothing).
 */
function httpOnlyCookie(name: string, path: string, sameSite: 'lax' | 'strict') {
  const write = (response: ResponseHeaders, value: string, expires: Date) =>
    response.appendHeader(
      'set-cookie',
      serialize(name, value, { path, httpOnly: true, secure: true, sameSite, expires }),
    );
  return {
    set: (response: ResponseHeaders, value: string, expiresAt: number): void =>
      write(response, value, new Date(expiresAt)),
    clear: (response: ResponseHeaders): void => write(response, '', new Date(0)),
    read(cookieHeader: string | null): string | null {
      if (!cookieHeader) return null;
      const ours = cookieHeader.split(';').filter((pair) => pair.trimStart().startsWith(`${name}=`));
      if (ours.length !== 1) return null;
      return parse(cookieHeader)[name] || null;
    },
  };
}

/**
 * The browser binding of a sign-in through a provider: sent only to the callback path, for the
 * request's 10 minutes. SameSite=Lax, not Strict: the browser comes back from the provider's site
 * by a top-level navigation, which Strict would strip it from.
 *
 * @example
 * providerBindingCookie.set(ctx.response, start.browserBinding, start.expiresAt);
 */
export const providerBindingCookie = httpOnlyCookie(PROVIDER_BINDING_COOKIE, PROVIDER_CALLBACK_PATH, 'lax');

/**
 * The pending sign-in of a provider sign-in that needs the second step: the callback sets it and
 * sends the browser to `/sign-in?second_step=<provider>`, so the handle is in no URL and never in
 * page script; `auth.twoFactor.verify` reads it when its input names no pending sign-in.
 * SameSite=Strict: only the app's own requests carry it.
 *
 * @example
 * pendingSignInCookie.set(headers, secondStep.pendingSignIn, Date.now() + PENDING_SIGN_IN_TTL_MS);
 */
export const pendingSignInCookie = httpOnlyCookie(PENDING_SIGN_IN_COOKIE, TRPC_PATH, 'strict');
