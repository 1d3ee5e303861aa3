import * as oidc from 'openid-client';
import type { IdentityProvider } from './identities';
import { type IdentityClaims, type IdentityProviderClient, provenIdentity } from './providers';

/**
 * An OpenID Connect provider as configured: its issuer (discovery at
 * `<issuer>/.well-known/openid-configuration`), this app's client id and secret, and the name
 * its button shows.
 */
export interface OidcProviderSettings {
  provider: IdentityProvider;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the button says: "Continue with <name>". */
  name: string;
  /** Plain-HTTP issuers (a provider on 127.0.0.1 in tests and development only). */
  allowInsecureRequests?: boolean;
}

/** Google's issuer: its discovery document names every endpoint and its JWKS. */
export const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * An OpenID Connect provider through `openid-client` (discovery, PKCE, the code exchange and
 * every ID token check are the library's). Discovery runs on first use and is kept.
 *
 * @example
 * const provider = oidcProvider({ provider: 'oidc', issuer: 'https://login.example.com', clientId, clientSecret, name: 'Example' });
 */
export function oidcProvider(settings: OidcProviderSettings): IdentityProviderClient {
  let configuration: Promise<oidc.Configuration> | null = null;
  const discover = () => {
    configuration ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
        // The ID token's signature is checked with the provider's JWKS even though it came
        // straight from the token endpoint (the library's default would trust the channel).
        execute: [
          oidc.enableNonRepudiationChecks,
          ...(settings.allowInsecureRequests ? [oidc.allowInsecureRequests] : []),
        ],
      })
      .catch((error: unknown) => {
        // A provider down at first use is tried again on the next sign-in.
        configuration = null;
        throw error;
      });
    return configuration;
  };

  return {
    provider: settings.provider,
    name: settings.name,
    async authorizationUrl(redirectUri, state) {
      const config = await discover();
      const secrets = { codeVerifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce: secrets.nonce,
      });
      return { url, secrets };
    },
    async complete(callbackUrl, state, secrets) {
      const config = await discover();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('The provider sent no ID token');
      // Email claims may come in the ID token or only from userinfo (for the same subject).
      const claims: IdentityClaims =
        idToken.email === undefined
          ? { ...idToken, ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)) }
          : idToken;
      return provenIdentity(settings.provider, claims);
    },
  };
}

/**
 * Google: an OpenID Connect provider at {@link GOOGLE_ISSUER} (`issuer` only for a stand-in in
 * tests). Its ID token asserts `email` and `email_verified`.
 *
 * @example
 * const google = googleProvider({ clientId, clientSecret });
 */
export function googleProvider(settings: { clientId: string; clientSecret: string; issuer?: string }) {
  const issuer = settings.issuer ?? GOOGLE_ISSUER;
  return oidcProvider({
    provider: 'google',
    name: 'Google',
    issuer,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    allowInsecureRequests: issuer !== GOOGLE_ISSUER && isLocalUrl(issuer),
  });
}

/** An address on this machine: the only place a provider may speak plain HTTP (tests, development). */
export function isLocalUrl(url: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
}
