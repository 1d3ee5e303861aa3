import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../app-router';
import { CookieJar } from './cookie-jar';

/**
 * A real @trpc/client for integration tests: it keeps the refresh cookie like a browser and sends
 * the access token it is given, as an app would.
 *
 * @example
 * const { client, setAccessToken } = createTestClient(server.url);
 * const session = await client.auth.register.mutate({ email, password });
 * setAccessToken(session.accessToken);
 */
export function createTestClient(baseUrl: string, jar = new CookieJar()) {
  let accessToken: string | null = null;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        fetch: jar.fetch,
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
