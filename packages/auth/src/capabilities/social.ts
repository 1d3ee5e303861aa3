import { timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors';
import {
  hashOpaque,
  type IdentityProvider,
  type LinkedIdentity,
  newBrowserBinding,
  OAUTH_REQUEST_TTL_MS,
  type OAuthPurpose,
  type OAuthRequestRow,
  type ProvenIdentity,
} from '../identities/identities';
import type { IdentityProviderClient, RequestSecrets } from '../identities/providers';
import type { ClientInfo } from '../sessions/client-info';
import { credentialMoved } from '../sessions/sessions';
import { PENDING_SIGN_IN_TTL_MS } from '../two-factor/two-factor';
import type { AuthContext, Caller, SignedIn } from './context';

/** Why a sign-in or link through a provider was refused: the SPA says each in one sentence. */
export const SOCIAL_REFUSALS = [
  /** The user said no at the provider, or the provider answered an error. */
  'cancelled',
  /** Unknown, used, expired or another browser's `state` (a forged or replayed callback). */
  'state',
  /** The provider's answer did not check out (code, token, signature, audience, nonce) or it was down. */
  'provider',
  /** A new identity whose address already has an account: sign in, then connect it. */
  'email_taken',
  /** A new identity with no address the provider says is verified. */
  'no_verified_email',
  /** A proof for an account with two-step verification: it proves itself with both factors. */
  'two_factor',
  /** Linking: the identity belongs to another account. */
  'taken',
  /** Linking or a proof: the session that asked has ended. */
  'session_ended',
  /** A proof: the provider's account is not one connected to this account. */
  'not_linked',
] as const;
export type SocialRefusal = (typeof SOCIAL_REFUSALS)[number];

const refused = (provider: string, reason: SocialRefusal, why: string = reason) =>
  new AuthError('SOCIAL_SIGN_IN_REFUSED', `Provider sign-in refused: ${why}`, { provider, reason });

/** Where the browser goes next, and the value of the cookie that binds the request to it. */
export interface SocialStart {
  url: string;
  browserBinding: string;
  /** Epoch ms: when the binding cookie should expire. */
  expiresAt: number;
}

/**
 * How a provider's answer ended: a session, an identity linked to the signed-in account, or a
 * fresh proof recorded on the session that asked (its next refresh carries `auth_time` now).
 */
export type SocialCompletion =
  | { kind: 'signed_in'; signedIn: SignedIn }
  /** The account has two-step verification: the provider was the first factor; the second is next. */
  | { kind: 'second_step'; provider: IdentityProvider; pendingSignIn: string; expiresAt: number }
  | { kind: 'linked'; provider: IdentityProvider }
  | { kind: 'reauthenticated'; provider: IdentityProvider };

/**
 * Signing in (and up) with an outside provider, and linking one to an account: the provider only
 * proves who the user is; the session is Tessera's own. Requests are single use, 10 minutes,
 * bound to the browser that started them (an HttpOnly cookie whose hash is stored), with PKCE,
 * `state` and `nonce` (identities/oidc-provider.ts and github-provider.ts check the answer).
 */
export function socialCapability(
  { config, store, box, throttle, userById, record, signIn, pendSignIn, now }: AuthContext,
  providers: readonly IdentityProviderClient[],
) {
  const byName = new Map(providers.map((client) => [client.provider, client]));
  const redirectUri = (provider: IdentityProvider) => `${config.issuer}/auth/callback/${provider}`;
  const secretsContext = (stateHash: string) => `oauth_requests.secrets_sealed:${stateHash}`;
  const clientOf = (provider: IdentityProvider) => {
    const client = byName.get(provider);
    if (!client) throw refused(provider, 'provider', 'not configured');
    return client;
  };

  async function start(
    provider: IdentityProvider,
    purpose: OAuthPurpose,
    caller: Caller | null,
    client: ClientInfo,
  ): Promise<SocialStart> {
    await throttle.countAttempt(client.ip);
    const state = newBrowserBinding();
    const browserBinding = newBrowserBinding();
    const at = now();
    const { url, secrets } = await clientOf(provider)
      .authorizationUrl(redirectUri(provider), state)
      .catch((error: unknown) => {
        throw refused(provider, 'provider', `discovery failed: ${String(error)}`);
      });
    const stateHash = hashOpaque(state);
    await store.storeOAuthRequest({
      stateHash,
      provider,
      purpose,
      browserHash: hashOpaque(browserBinding),
      secretsSealed: box.seal(JSON.stringify(secrets), secretsContext(stateHash)),
      userId: caller?.userId ?? null,
      sessionId: caller?.sessionId ?? null,
      dpopJkt: client.dpopJkt ?? null,
      createdAt: at,
      expiresAt: at + OAUTH_REQUEST_TTL_MS,
    });
    return { url: url.href, browserBinding, expiresAt: at + OAUTH_REQUEST_TTL_MS };
  }

  async function link(caller: Caller, identity: ProvenIdentity, client: ClientInfo): Promise<SocialCompletion> {
    const linked = await store.linkIdentity(caller, identity, now());
    if (linked === 'taken' || linked === 'session_ended') throw refused(identity.provider, linked);
    if (linked === 'linked') {
      await record({
        userId: caller.userId,
        type: 'identity_linked',
        method: identity.provider,
        sessionId: caller.sessionId,
        client,
      });
    }
    return { kind: 'linked', provider: identity.provider };
  }

  /**
   * Records the provider's answer as a fresh proof on the session that asked, as
   * `auth.reauthenticate` does with a password. An account with two-step verification proves
   * itself with both factors (the password and a code, or a passkey), not with a provider.
   */
  async function proveAgain(caller: Caller, identity: ProvenIdentity, client: ClientInfo): Promise<SocialCompletion> {
    const user = await userById.fresh(caller.userId);
    if (!user) throw refused(identity.provider, 'session_ended');
    if (user.twoFactorEnabled) throw refused(identity.provider, 'two_factor');
    const proof = await store.proveWithIdentity(caller, identity, now());
    if (proof === 'not_linked' || proof === 'session_ended') throw refused(identity.provider, proof);
    const method = identity.provider;
    const recorded = await store.recordProof(
      { sessionId: caller.sessionId, userId: caller.userId, credentialVersion: proof.credentialVersion, method },
      now(),
    );
    // A credential change between the two ended the session.
    if (!recorded) throw refused(identity.provider, 'session_ended');
    await record({ userId: caller.userId, type: 'reauthenticated', sessionId: caller.sessionId, client, method });
    return { kind: 'reauthenticated', provider: identity.provider };
  }

  /** The provider's answer to a request of this browser's: checked, then what the request was for. */
  async function answer(
    provider: IdentityProvider,
    request: OAuthRequestRow,
    callbackUrl: URL,
    state: string,
    client: ClientInfo,
  ): Promise<SocialCompletion> {
    if (callbackUrl.searchParams.has('error')) throw refused(provider, 'cancelled');
    const secrets = JSON.parse(box.open(request.secretsSealed, secretsContext(request.stateHash))) as RequestSecrets;
    const identity = await clientOf(provider)
      .complete(callbackUrl, state, secrets)
      .catch((error: unknown) => {
        throw refused(provider, 'provider', String(error));
      });
    if (request.purpose === 'link' || request.purpose === 'reauthenticate') {
      if (request.userId === null || request.sessionId === null) throw refused(provider, 'state', 'no session');
      const caller = { userId: request.userId, sessionId: request.sessionId };
      return request.purpose === 'link' ? link(caller, identity, client) : proveAgain(caller, identity, client);
    }
    // A sign-in never names a user: a row that does was written by an older version for a link.
    if (request.purpose !== 'sign_in' || request.userId !== null) {
      throw refused(provider, 'state', `purpose ${request.purpose}`);
    }

    const outcome = await store.signInWithIdentity(identity, now());
    if (outcome.outcome !== 'signed_in') throw refused(provider, outcome.outcome);
    const user = await userById.fresh(outcome.userId);
    if (!user) throw credentialMoved();
    const subject = { userId: outcome.userId, credentialVersion: outcome.credentialVersion };
    if (user.twoFactorEnabled) {
      const { pendingSignIn } = await pendSignIn(subject, client, provider);
      return { kind: 'second_step', provider, pendingSignIn, expiresAt: now() + PENDING_SIGN_IN_TTL_MS };
    }
    return { kind: 'signed_in', signedIn: await signIn(subject, client, provider) };
  }

  return {
    /** The providers configured, for the sign-in page's buttons. */
    identityProviders(): Array<{ provider: IdentityProvider; name: string }> {
      return providers.map(({ provider, name }) => ({ provider, name }));
    },

    /** A sign-in (or sign-up) through `provider`: the URL to send the browser to. */
    startSocialSignIn: (provider: IdentityProvider, client: ClientInfo) => start(provider, 'sign_in', null, client),

    /** Connecting `provider` to the signed-in account (after a fresh proof): the URL to send the browser to. */
    startIdentityLink: (provider: IdentityProvider, caller: Caller, client: ClientInfo) =>
      start(provider, 'link', caller, client),

    /**
     * A fresh proof through a provider connected to the account (step-up for an account that has
     * no password, or prefers its provider): the URL to send the browser to.
     */
    startProviderReauthentication: (provider: IdentityProvider, caller: Caller, client: ClientInfo) =>
      start(provider, 'reauthenticate', caller, client),

    /**
     * The provider's answer at `/auth/callback/<provider>`: the request it names is taken (once,
     * whatever follows), must be this browser's and unexpired; the answer is checked and the
     * code exchanged; then, as the request was for, a session starts (or, with two-step
     * verification, a pending sign-in awaits the second step), the identity is linked, or the
     * proof is recorded. Throws
     * `SOCIAL_SIGN_IN_REFUSED` with one of `SocialRefusal`, `RateLimitedError`.
     */
    async completeSocialSignIn(
      provider: IdentityProvider,
      callbackUrl: URL,
      browserBinding: string | null,
      client: ClientInfo,
    ): Promise<SocialCompletion> {
      await throttle.countAttempt(client.ip);
      const state = callbackUrl.searchParams.get('state');
      const request = state ? await store.takeOAuthRequest(hashOpaque(state)) : null;
      if (!state || !request || request.provider !== provider || request.expiresAt <= now()) {
        throw refused(provider, 'state');
      }
      if (browserBinding === null || !sameHash(hashOpaque(browserBinding), request.browserHash)) {
        throw refused(provider, 'state', 'another browser');
      }
      // From here on a refusal says what the request was for: a link or a proof goes back to the
      // Account page, where its owner is signed in.
      // The callback is a navigation, which carries no DPoP proof: the session binds to the device
      // key that proved itself when the sign-in started, in this same browser (its binding cookie).
      const bound = { ...client, dpopJkt: request.dpopJkt };
      return answer(provider, request, callbackUrl, state, bound).catch((error: unknown) => {
        if (!(error instanceof AuthError) || error.code !== 'SOCIAL_SIGN_IN_REFUSED') throw error;
        throw new AuthError(error.code, error.message, { ...error.details, purpose: request.purpose });
      });
    },

    /** The caller's linked identities, oldest first. */
    listIdentities: (userId: string): Promise<LinkedIdentity[]> => store.listIdentities(userId),

    /**
     * Disconnects one of the caller's identities, never the account's last way to sign in.
     * Throws `IDENTITY_NOT_FOUND`, `LAST_SIGN_IN_METHOD`.
     */
    async unlinkIdentity(caller: Caller, id: string, client: ClientInfo): Promise<void> {
      const removed = await store.unlinkIdentity({ id, userId: caller.userId });
      if (removed === 'not_found') throw new AuthError('IDENTITY_NOT_FOUND');
      if (removed === 'last_sign_in_method') {
        throw new AuthError('LAST_SIGN_IN_METHOD', 'The last way to sign in', { what: 'identity' });
      }
      await record({ userId: caller.userId, type: 'identity_unlinked', sessionId: caller.sessionId, client });
    },
  };
}

/** Two base64url SHA-256 hashes compared in constant time. */
function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
