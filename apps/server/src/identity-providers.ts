import {
  type GithubEndpoints,
  githubProvider,
  googleProvider,
  type IdentityProviderClient,
  isLocalUrl,
  type OidcEndpoints,
  oidcProvider,
} from '@tessera/auth';
import type { Env } from './env';

/**
 * Where GitHub and Google are, when not at their public addresses: only tests set these, to
 * point the server at local stand-ins that speak the providers' documented endpoints.
 */
export interface ProviderEndpoints {
  github?: GithubEndpoints;
  google?: OidcEndpoints;
}

/**
 * The providers users may sign in with, from the environment: only those configured are offered,
 * in the order the sign-in page lists them.
 *
 * @example
 * createAuth({ ..., identityProviders: identityProvidersFrom(env) });
 */
export function identityProvidersFrom(env: Env, endpoints: ProviderEndpoints = {}): IdentityProviderClient[] {
  const providers: IdentityProviderClient[] = [];
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    providers.push(
      githubProvider({
        clientId: env.GITHUB_CLIENT_ID,
        clientSecret: env.GITHUB_CLIENT_SECRET,
        endpoints: endpoints.github,
      }),
    );
  }
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) {
    providers.push(
      googleProvider({
        clientId: env.GOOGLE_CLIENT_ID,
        clientSecret: env.GOOGLE_CLIENT_SECRET,
        endpoints: endpoints.google,
      }),
    );
  }
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    providers.push(
      oidcProvider({
        provider: 'oidc',
        issuer: env.OIDC_ISSUER,
        clientId: env.OIDC_CLIENT_ID,
        clientSecret: env.OIDC_CLIENT_SECRET,
        name: env.OIDC_NAME,
        allowInsecureRequests: isLocalUrl(env.OIDC_ISSUER),
      }),
    );
  }
  return providers;
}
