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
 *
 * @example
 * const cookie = refreshCookie({ name: '__Secure-tessera_refresh', path: '/trpc/auth.refresh' });
 * cookie.set(ctx.response, token, expiresAt);
 */
export function refreshCookie(options: RefreshCookieOptions) {
  const attributes = { path: options.path, httpOnly: true, secure: true, sameSite: 'strict' } as const;
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
      response.appendHeader(
        'set-cookie',
        serialize(options.name, token, { ...attributes, expires: new Date(expiresAt) }),
      );
    },
    clear(response: ResponseHeaders): void {
      response.appendHeader('set-cookie', serialize(options.name, '', { ...attributes, expires: new Date(0) }));
    },
  };
}

export type RefreshCookie = ReturnType<typeof refreshCookie>;
