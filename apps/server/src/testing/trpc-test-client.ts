import { createTRPCClient, httpLink } from '@trpc/client';
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
