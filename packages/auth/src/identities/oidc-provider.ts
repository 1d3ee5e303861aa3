import * as oidc from 'openid-client';
import type { IdentityProvider } from './identities';
import { type IdentityClaims, type IdentityProviderClient, provenIdentity } from './providers';

/** Where an OpenID Connect provider's endpoints are (its discovery document's members that Tessera uses). */
export interface OidcEndpoints {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  /** The ID token algorithms it signs with (RS256 when left out, as the spec's default). */
  id_token_signing_alg_values_supported?: string[];
}

/**
 * An OpenID Connect provider as configured: its issuer (discovery at
 * `<issuer>/.well-known/openid-configuration`) or its endpoints when they are known, this app's
 * client id and secret, and the name its button shows.
 */
export interface OidcProviderSettings {
  provider: IdentityProvider;
  issuer: string;
  /**
   * The provider's endpoints, when known and stable (Google's): no discovery round trip, and a
   * sign-in starts even while the discovery document cannot be fetched.
   */
  endpoints?: OidcEndpoints;
  clientId: string;
  clientSecret: string;
  /** What the button says: "Continue with <name>". */
  name: string;
  /** Plain-HTTP issuers (a provider on 127.0.0.1 in tests and development only). */
  allowInsecureRequests?: boolean;
}

/** Google's endpoints, as its discovery document (`https://accounts.google.com/.well-known/openid-configuration`) names them. */
export const GOOGLE_ENDPOINTS: OidcEndpoints = {
  issuer: 'https://accounts.google.com',
  authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  token_endpoint: 'https://oauth2.googleapis.com/token',
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
  userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
  id_token_signing_alg_values_supported: ['RS256'],
};

/**
 * An OpenID Connect provider through `openid-client` (discovery, PKCE, the code exchange and
 * every ID token check are the library's). Discovery runs on first use and is kept.
 *
 * @example
 * const provider = oidcProvider({ provider: 'oidc', issuer: 'https://login.example.com', clientId, clientSecret, name: 'Example' });
 */
export function oidcProvider(settings: OidcProviderSettings): IdentityProviderClient {
  // The ID token's signature is checked with the provider's JWKS even though it came straight
  // from the token endpoint (the library's default would trust the channel).
  const checks = [
    oidc.enableNonRepudiationChecks,
    ...(settings.allowInsecureRequests ? [oidc.allowInsecureRequests] : []),
  ];
  const fromEndpoints = (endpoints: OidcEndpoints) => {
    const known = new oidc.Configuration({ ...endpoints }, settings.clientId, settings.clientSecret);
    for (const check of checks) check(known);
    return known;
  };
  let configuration: Promise<oidc.Configuration> | null = null;
  const discover = () => {
    configuration ??= settings.endpoints
      ? Promise.resolve(fromEndpoints(settings.endpoints))
      : oidc
          .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, { execute: checks })
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
 * Google: an OpenID Connect provider with {@link GOOGLE_ENDPOINTS} (`endpoints` only for a
 * stand-in in tests). Its ID token asserts `email` and `email_verified`.
 *
 * @example
 * const google = googleProvider({ clientId, clientSecret });
 */
export function googleProvider(settings: { clientId: string; clientSecret: string; endpoints?: OidcEndpoints }) {
  const endpoints = settings.endpoints ?? GOOGLE_ENDPOINTS;
  return oidcProvider({
    provider: 'google',
    name: 'Google',
    issuer: endpoints.issuer,
    endpoints,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    allowInsecureRequests: endpoints !== GOOGLE_ENDPOINTS && isLocalUrl(endpoints.issuer),
  });
}

/** An address on this machine: the only place a provider may speak plain HTTP (tests, development). */
export function isLocalUrl(url: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
}
