import { SIGNED_IN_FLAG_COOKIE } from '@tessera/contract';
import { parse, serialize } from 'cookie';

/** What `createAuthRouter` needs to know to own its cookie. */
export interface RefreshCookieOptions {
  /** `__Secure-` makes browsers refuse the cookie unless it is Secure and set over a secure origin (localhost counts). */
  name: string;
  /**
   * The refresh procedure's URL path, which alone receives the cookie: the tRPC prefix, the key
   * the auth router is mounted under, and `.refresh` (see `mountAuthRouter`).
   */
  path: string;
}

/** Writes response headers: all a procedure may do to the HTTP response. */
export interface ResponseHeaders {
  /** Adds a header value (several `Set-Cookie` lines are several calls). */
  appendHeader(name: string, value: string): void;
}

/**
 * The refresh cookie: HttpOnly, Secure, SameSite=Strict, sent to the refresh procedure only.
 * Its companion `tessera_signed_in=1` (readable by script, no secret, same lifetime) tells the
 * SPA whether a reload has a session to restore; both are set and cleared together.
 *
 * @example
 * const cookie = refreshCookie({ name: '__Secure-tessera_refresh', path: '/trpc/auth.refresh' });
 * cookie.set(ctx.response, token, expiresAt);
 */
export function refreshCookie(options: RefreshCookieOptions) {
  const attributes = { path: options.path, httpOnly: true, secure: true, sameSite: 'strict' } as const;
  const flagAttributes = { path: '/', secure: true, sameSite: 'strict' } as const;
  return {
    ...options,
    /** The token, or null when there is none or several (a planted duplicate is no credential). */
    read(cookieHeader: string | null): string | null {
      if (!cookieHeader) return null;
      // Two cookies of our name mean one was planted (cookie tossing): trust neither.
      const ours = cookieHeader.split(';').filter((pair) => pair.trimStart().startsWith(`${options.name}=`));
      if (ours.length !== 1) return null;
      return parse(cookieHeader)[options.name] || null;
    },
    set(response: ResponseHeaders, token: string, expiresAt: number): void {
      const expires = new Date(expiresAt);
      response.appendHeader('set-cookie', serialize(options.name, token, { ...attributes, expires }));
      response.appendHeader('set-cookie', serialize(SIGNED_IN_FLAG_COOKIE, '1', { ...flagAttributes, expires }));
    },
    clear(response: ResponseHeaders): void {
      const expires = new Date(0);
      response.appendHeader('set-cookie', serialize(options.name, '', { ...attributes, expires }));
      response.appendHeader('set-cookie', serialize(SIGNED_IN_FLAG_COOKIE, '', { ...flagAttributes, expires }));
    },
  };
}

export type RefreshCookie = ReturnType<typeof refreshCookie>;
