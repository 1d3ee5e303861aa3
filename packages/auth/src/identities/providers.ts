import * as oidc from 'openid-client';
import type { IdentityProvider, ProvenIdentity } from './identities';

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

/** The secrets a request keeps until the provider answers: PKCE's verifier and OIDC's nonce. */
export interface RequestSecrets {
  codeVerifier: string;
  nonce: string;
}

/** One configured provider: the URL to send the browser to, and the check of its answer. */
export interface IdentityProviderClient {
  provider: IdentityProvider;
  name: string;
  /** The authorization URL for a new request (PKCE S256, `state`, `nonce`), and its secrets. */
  authorizationUrl(redirectUri: string, state: string): Promise<{ url: URL; secrets: RequestSecrets }>;
  /**
   * Checks the provider's answer (issuer, state, the ID token's signature by the provider's
   * JWKS, audience, nonce, `iat`/`exp`), exchanges the code with the verifier, and says who the
   * user is. Throws when anything does not check out.
   */
  complete(callbackUrl: URL, state: string, secrets: RequestSecrets): Promise<ProvenIdentity>;
}

/** What the provider's ID token (or userinfo) says beyond the subject. */
interface IdentityClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  preferred_username?: unknown;
}

/**
 * An OpenID Connect provider through `openid-client` (discovery, PKCE, the code exchange and
 * every ID token check are the library's). Discovery runs on first use and is kept.
 *
 * @example
 * const google = oidcProvider({ provider: 'google', issuer: 'https://accounts.google.com', clientId, clientSecret, name: 'Google' });
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
      return proven(settings.provider, claims);
    },
  };
}

/** The identity as Tessera keeps it: an address counts only when the provider says it is verified. */
function proven(provider: IdentityProvider, claims: IdentityClaims): ProvenIdentity {
  const email = typeof claims.email === 'string' ? claims.email.trim().normalize('NFKC').toLowerCase() : null;
  const displayName =
    [claims.preferred_username, claims.name, email, claims.sub].find(
      (value): value is string => typeof value === 'string' && value.trim() !== '',
    ) ?? claims.sub;
  return {
    provider,
    subject: claims.sub,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    displayName: displayName.slice(0, 200),
  };
}
