import type { RefreshCookieJar } from '@tessera/api';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * `__Secure-` makes browsers refuse the cookie unless it is Secure and set over a secure origin
 * (http://localhost counts). The Path keeps it off every request but the refresh call.
 */
export const REFRESH_COOKIE_NAME = '__Secure-tessera_refresh';
export const REFRESH_COOKIE_PATH = '/trpc/auth.refresh';

const attributes = {
  path: REFRESH_COOKIE_PATH,
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
} as const;

/**
 * The refresh cookie of one request/response pair.
 *
 * @example
 * const cookies = refreshCookieJar(request, reply);
 * cookies.set(token, expiresAt);
 */
export function refreshCookieJar(request: FastifyRequest, reply: FastifyReply): RefreshCookieJar {
  return {
    read() {
      // Two cookies of our name mean one was planted (cookie tossing): trust neither.
      if (countCookies(request.headers.cookie, REFRESH_COOKIE_NAME) !== 1) return null;
      return request.cookies[REFRESH_COOKIE_NAME] ?? null;
    },
    set(token, expiresAt) {
      reply.setCookie(REFRESH_COOKIE_NAME, token, { ...attributes, expires: new Date(expiresAt) });
    },
    clear() {
      reply.clearCookie(REFRESH_COOKIE_NAME, attributes);
    },
  };
}

/** @fastify/cookie keeps only the first of duplicate names; this counts them all. */
function countCookies(header: string | undefined, name: string): number {
  if (!header) return 0;
  return header.split(';').filter((pair) => pair.trimStart().startsWith(`${name}=`)).length;
}
