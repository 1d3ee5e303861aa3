import { parse, serialize } from 'cookie';
import type { ResponseHeaders } from './refresh-cookie';

/** The cookie that binds a provider sign-in to the browser that started it. */
export const PROVIDER_BINDING_COOKIE = '__Secure-tessera_provider';
/** Where providers send the browser back: the only path the cookie goes to. */
export const PROVIDER_CALLBACK_PATH = '/auth/callback';

/**
 * The browser binding of a sign-in through a provider: HttpOnly, Secure, sent only to the
 * callback path, for the request's 10 minutes. SameSite=Lax, not Strict: the browser comes back
 * from the provider's site by a top-level navigation, which Strict would strip it from.
 *
 * @example
 * providerBindingCookie.set(ctx.response, start.browserBinding, start.expiresAt);
 */
export const providerBindingCookie = {
  set(response: ResponseHeaders, value: string, expiresAt: number): void {
    response.appendHeader(
      'set-cookie',
      serialize(PROVIDER_BINDING_COOKIE, value, {
        path: PROVIDER_CALLBACK_PATH,
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        expires: new Date(expiresAt),
      }),
    );
  },
  clear(response: ResponseHeaders): void {
    response.appendHeader(
      'set-cookie',
      serialize(PROVIDER_BINDING_COOKIE, '', {
        path: PROVIDER_CALLBACK_PATH,
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        expires: new Date(0),
      }),
    );
  },
  /** The binding, or null when there is none or several (a planted duplicate binds nothing). */
  read(cookieHeader: string | null): string | null {
    if (!cookieHeader) return null;
    const ours = cookieHeader.split(';').filter((pair) => pair.trimStart().startsWith(`${PROVIDER_BINDING_COOKIE}=`));
    if (ours.length !== 1) return null;
    return parse(cookieHeader)[PROVIDER_BINDING_COOKIE] || null;
  },
};
