import { toUser } from '../accounts/users';
import { AuthError } from '../errors';
import { type ClientInfo, clientFingerprint } from '../sessions/client-info';
import { sessionEndCause } from '../sessions/end-cause';
import type { AuthContext, SignedIn } from './context';

/** Exchanging a refresh token: the rotation, reuse detection and grace are the store's (`rotateRefreshToken`). */
export function refreshCapability({
  config,
  store,
  box,
  throttle,
  userById,
  record,
  forget,
  sessionFor,
  now,
}: AuthContext) {
  return {
    /**
     * Exchanges a refresh token for a new one and a new access token. `graceRetry` is true when
     * this was the same client presenting the token it had just exchanged (the server logs it).
     * Throws `AuthError('INVALID_REFRESH_TOKEN')` with `details.reason` one of `unknown`,
     * `expired`, `revoked` or `reused` (and `details.reuse`), and `RateLimitedError`.
     * A reuse ends the session here at once and is recorded.
     */
    async refresh(
      refreshToken: string,
      client: ClientInfo,
    ): Promise<SignedIn & { graceRetry: boolean; sessionId: string }> {
      await throttle.countRefresh(client.ip);
      const request = {
        presentedToken: refreshToken,
        client: clientFingerprint(client),
        box,
        dpopJkt: client.dpopJkt ?? null,
        requireBinding: config.dpop === 'required',
      };
      const rotated = await store.rotateRefreshToken(config, request, now());
      if (!rotated.ok) {
        if (rotated.reason === 'reused') {
          forget([rotated.sessionId], now(), 'reuse_detected');
          await record({ userId: rotated.userId, type: 'refresh_token_reused', sessionId: rotated.sessionId, client });
        }
        throw new AuthError('INVALID_REFRESH_TOKEN', `Refresh refused: ${rotated.reason}`, {
          reason: rotated.reason,
          sessionEnd: rotated.reason === 'revoked' ? sessionEndCause(rotated.revokedReason) : null,
          reuse: rotated.reason === 'reused' ? rotated.reuse : null,
          sessionId: rotated.sessionId,
        });
      }
      // The user as the rotation read them with the session, not from the cache: the new token's
      // role must be the stored one. (A deleted user's sessions are deleted with them.)
      const user = toUser(rotated.user);
      userById.remember(user);
      // REQUIRE_VERIFIED_EMAIL turned on later binds the sessions that were already there too:
      // the session ends (the rotation has committed), and signing in again needs the address.
      if (config.requireVerifiedEmail && !user.emailVerified) {
        const at = now();
        await store.revokeSession({ sessionId: rotated.sessionId, userId: user.id, reason: 'email_not_verified' }, at);
        forget([rotated.sessionId], at, 'email_not_verified');
        throw new AuthError('EMAIL_NOT_VERIFIED');
      }
      const signedIn = await sessionFor(user, rotated);
      return { ...signedIn, graceRetry: rotated.graceRetry, sessionId: rotated.sessionId };
    },
  };
}
