import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { decodeJwt } from 'jose';
import type { AppRouter } from '../app-router';
import { CookieJar } from './cookie-jar';
import type { DpopKey } from './dpop-key';

/** A device key the test client proves with (DPoP), and the PUBLIC_ORIGIN its proofs name. */
export interface TestClientKey {
  key: DpopKey;
  origin: string;
}

/**
 * A real @trpc/client for integration tests: it keeps the refresh cookie like a browser and sends
 * the access token it is given, as an app would. With `dpop`, every request carries a proof from
 * that key, and a bound token goes as `Authorization: DPoP`, as the SPA's client does.
 *
 * @example
 * const { client, setAccessToken } = createTestClient(server.url);
 * const session = await client.auth.register.mutate({ email, password });
 * setAccessToken(session.accessToken);
 */
export function createTestClient(baseUrl: string, jar = new CookieJar(), dpop?: TestClientKey) {
  let accessToken: string | null = null;
  const send: typeof jar.fetch = async (input, init = {}) => {
    if (!dpop) return jar.fetch(input, init);
    const url = new URL(String(input));
    const bound = accessToken !== null && decodeJwt(accessToken).cnf !== undefined;
    const headers = new Headers(init.headers);
    if (bound && accessToken) headers.set('authorization', `DPoP ${accessToken}`);
    const method = init.method === 'POST' ? 'POST' : 'GET';
    const proof = await dpop.key.proof({
      method,
      url: `${dpop.origin}${url.pathname}`,
      accessToken: bound ? (accessToken ?? undefined) : undefined,
    });
    headers.set('dpop', proof);
    return jar.fetch(input, { ...init, headers });
  };
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        fetch: send,
        headers: () => (accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      }),
    ],
  });
  return {
    client,
    jar,
    setAccessToken(token: string | null) {
      accessToken = token;
    },
  };
}

/**
 * How a call through the test client ended: 'OK', or the tRPC code and reason it was refused
 * with (`-` for none). Anything but a tRPC refusal is thrown.
 *
 * @example
 * expect(await refusal(client.auth.me.query())).toBe('UNAUTHORIZED:SESSION_REVOKED');
 */
export async function refusal(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'OK',
    (error: unknown) => {
      if (!(error instanceof TRPCClientError)) throw error;
      return `${error.data?.code}:${error.data?.reason ?? '-'}`;
    },
  );
}
