import { type IdentityProviderClient, oidcProvider } from '@tessera/auth';
import type { Env } from './env';

/** An issuer on this machine may speak plain HTTP (a provider under test or in development). */
const isLocalIssuer = (issuer: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(issuer).hostname);

/**
 * The providers users may sign in with, from the environment: only those configured are offered.
 *
 * @example
 * createAuth({ ..., identityProviders: identityProvidersFrom(env) });
 */
export function identityProvidersFrom(env: Env): IdentityProviderClient[] {
  const providers: IdentityProviderClient[] = [];
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    providers.push(
      oidcProvider({
        provider: 'oidc',
        issuer: env.OIDC_ISSUER,
        clientId: env.OIDC_CLIENT_ID,
        clientSecret: env.OIDC_CLIENT_SECRET,
        name: env.OIDC_NAME,
        allowInsecureRequests: isLocalIssuer(env.OIDC_ISSUER),
      }),
    );
  }
  return providers;
}
