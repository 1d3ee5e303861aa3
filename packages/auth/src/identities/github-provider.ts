import * as oidc from 'openid-client';
import { z } from 'zod';
import { isLocalUrl } from './oidc-provider';
import { type IdentityProviderClient, provenIdentity } from './providers';

/** Where GitHub's OAuth endpoints (`web`) and its REST API (`api`) are. */
export interface GithubEndpoints {
  web: string;
  api: string;
}

export const GITHUB_ENDPOINTS: GithubEndpoints = { web: 'https://github.com', api: 'https://api.github.com' };

/**
 * What Tessera asks GitHub for: the profile (the stable numeric id and the login) and the
 * addresses with their verified flags (`GET /user/emails` needs `user:email`).
 */
export const GITHUB_SCOPES = 'read:user user:email';

/** `GET /user`: only what Tessera keeps. The id is stable; the login can be renamed. */
const githubUser = z.object({ id: z.number().int().positive(), login: z.string().min(1), name: z.string().nullish() });

/** `GET /user/emails`: every address on the account, which is primary, which GitHub verified. */
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub: OAuth 2.0 (no OpenID Connect, so no ID token) with PKCE S256 and `state`, through
 * `openid-client`; then who the user is from its REST API: the subject is the numeric user id,
 * the address the account's primary one, verified only when GitHub says so. `endpoints` is for
 * a stand-in in tests.
 *
 * @example
 * const github = githubProvider({ clientId, clientSecret });
 */
export function githubProvider(settings: {
  clientId: string;
  clientSecret: string;
  endpoints?: GithubEndpoints;
}): IdentityProviderClient {
  const { web, api } = settings.endpoints ?? GITHUB_ENDPOINTS;
  const config = new oidc.Configuration(
    {
      issuer: web,
      authorization_endpoint: `${web}/login/oauth/authorize`,
      token_endpoint: `${web}/login/oauth/access_token`,
    },
    settings.clientId,
    undefined,
    // GitHub documents the client's id and secret as form parameters of the token request.
    oidc.ClientSecretPost(settings.clientSecret),
  );
  if (isLocalUrl(web)) oidc.allowInsecureRequests(config);

  async function readApi(accessToken: string, path: string): Promise<unknown> {
    const response = await oidc.fetchProtectedResource(
      config,
      accessToken,
      new URL(`${api}${path}`),
      'GET',
      undefined,
      // GitHub refuses requests without a User-Agent; the version pins the answers' shape.
      new Headers({
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'Tessera',
      }),
    );
    if (!response.ok) throw new Error(`GitHub's ${path} answered ${response.status}`);
    return response.json();
  }

  return {
    provider: 'github',
    name: 'GitHub',
    async authorizationUrl(redirectUri, state) {
      const secrets = { codeVerifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: GITHUB_SCOPES,
        code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
        code_challenge_method: 'S256',
        state,
      });
      return { url, secrets };
    },
    async complete(callbackUrl, state, secrets) {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: state,
      });
      const user = githubUser.parse(await readApi(tokens.access_token, '/user'));
      const primary = githubEmails
        .parse(await readApi(tokens.access_token, '/user/emails'))
        .find((each) => each.primary);
      return provenIdentity('github', {
        sub: String(user.id),
        preferred_username: user.login,
        name: user.name,
        email: primary?.email,
        email_verified: primary?.verified,
      });
    },
  };
}
