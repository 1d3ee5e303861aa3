import { emailInput } from '@tessera/contract';
import type { IdentityProvider, ProvenIdentity } from './identities';

/** The secrets a request keeps until the provider answers: PKCE's verifier, and OIDC's nonce. */
export interface RequestSecrets {
  codeVerifier: string;
  /** OpenID Connect only (GitHub's OAuth 2.0 has no ID token to carry one). */
  nonce?: string;
}

/** One configured provider: the URL to send the browser to, and the check of its answer. */
export interface IdentityProviderClient {
  provider: IdentityProvider;
  name: string;
  /** The authorization URL for a new request (PKCE S256, `state`, and `nonce` with OIDC), and its secrets. */
  authorizationUrl(redirectUri: string, state: string): Promise<{ url: URL; secrets: RequestSecrets }>;
  /**
   * Checks the provider's answer (state; with OIDC the issuer and the ID token's signature by
   * the provider's JWKS, audience, nonce, `iat`/`exp`), exchanges the code with the verifier,
   * and says who the user is. Throws when anything does not check out.
   */
  complete(callbackUrl: URL, state: string, secrets: RequestSecrets): Promise<ProvenIdentity>;
}

/** What a provider says about the user, as it says it (nothing trusted yet). */
export interface IdentityClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  preferred_username?: unknown;
}

/**
 * The identity as Tessera keeps it. The address is normalized as a typed one is (so it finds the
 * same account) and counts only when the provider says it is verified; one that is not a valid
 * address is dropped.
 */
export function provenIdentity(provider: IdentityProvider, claims: IdentityClaims): ProvenIdentity {
  const parsed = emailInput.safeParse(claims.email);
  const email = parsed.success ? parsed.data : null;
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
