import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { type Configuration, Provider } from 'oidc-provider';
import { CookieJar } from './cookie-jar';

/** What the provider says of an account: its subject and, if any, its address and whether it is verified. */
export interface ProviderAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/** A real OpenID Connect provider (panva's `oidc-provider`) on 127.0.0.1, for the tests. */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The accounts it knows, by subject: add or change one before signing in with it. */
  accounts: Map<string, ProviderAccount>;
  /**
   * Goes through the provider's sign-in and consent pages as a browser would, as `subject`, from
   * the authorization URL Tessera gave: the URL the provider sends the browser back to.
   */
  signIn(authorizationUrl: string, subject: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * Starts the provider with one confidential client (`tessera`) whose redirect URI is Tessera's
 * callback at `publicOrigin()`, read at the first request: the server is started after the
 * provider (it needs the issuer), and the provider needs the server's origin. PKCE is required,
 * as Tessera always sends it.
 *
 * @example
 * const provider = await startOidcProvider(() => server.publicOrigin);
 * provider.accounts.set('ada', { sub: 'ada', email: 'ada@example.com', email_verified: true });
 */
export async function startOidcProvider(publicOrigin: () => string): Promise<TestOidcProvider> {
  const accounts = new Map<string, ProviderAccount>();
  const clientId = 'tessera';
  const clientSecret = 'a client secret of at least thirty-two characters';
  // Keys of its own (not the library's development keys): an RSA key, as most providers sign with.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-provider', alg: 'RS256', use: 'sig' }] };
  const config = (): Configuration => ({
    jwks,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${publicOrigin()}/auth/callback/oidc`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The claims go into the ID token itself, as many providers do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 300, IdToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      return account ? { accountId: id, claims: async () => ({ ...account }) } : undefined;
    },
  });
  // The issuer needs the port, which listening gives: listen first, make the provider at the first request.
  let handler: ReturnType<Provider['callback']> | null = null;
  const server = createServer((req, res) => {
    handler ??= new Provider(issuer, config()).callback();
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    async signIn(authorizationUrl, subject) {
      const jar = new CookieJar();
      let url = new URL(authorizationUrl);
      let response = await jar.fetch(url, { redirect: 'manual' });
      for (let hop = 0; hop < 12; hop++) {
        if (response.status >= 300 && response.status < 400) {
          url = new URL(response.headers.get('location') ?? '', url);
          if (!url.href.startsWith(issuer)) return url;
          response = await jar.fetch(url, { redirect: 'manual' });
          continue;
        }
        // A dev interaction page: the login form, then the consent form.
        const page = await response.text();
        const action = /action="([^"]+)"/.exec(page)?.[1];
        if (!action) throw new Error(`The provider answered ${response.status} with no form`);
        const body = page.includes('name="login"')
          ? new URLSearchParams({ prompt: 'login', login: subject, password: 'any' })
          : new URLSearchParams({ prompt: 'consent' });
        response = await jar.fetch(new URL(action, url), {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
      }
      throw new Error('The provider never sent the browser back');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
