import {
  AuthError,
  type ClientInfo,
  needsSecondStep,
  RateLimitedError,
  type SecondStep,
  type SignedIn,
} from '@tessera/auth';
import {
  authenticatePasskeyInput,
  changePasswordInput,
  confirmTwoFactorInput,
  deleteAccountInput,
  emailChangeTokenInput,
  loginInput,
  reauthenticateInput,
  registerInput,
  registerPasskeyInput,
  removePasskeyInput,
  requestEmailChangeInput,
  requestResetInput,
  resetPasswordInput,
  revokeSessionInput,
  setPasswordInput,
  TRPC_PATH,
  verifyEmailInput,
  verifyTwoFactorInput,
} from '@tessera/contract';
import { z } from 'zod';
import { deleteAccountEverywhere } from '../account-deletion';
import { pendingSignInCookie, providerBindingCookie } from '../binding-cookie';
import type { Context } from '../context';
import { dpopRefusal } from '../dpop';
import { fail, messages, sessionRevoked, unauthorized } from '../errors';
import type { Feature } from '../feature';
import { type RefreshCookieOptions, refreshCookie } from '../refresh-cookie';

import {
  callerIfSignedIn,
  freshProcedure,
  liveSessionProcedure,
  protectedProcedure,
  publicProcedure,
  router,
  sameOriginProcedure,
  sessionProcedure,
  signInProcedure,
} from '../trpc';

const providerInput = z.strictObject({
  provider: z.enum(['github', 'google', 'oidc'], { error: 'Unknown provider.' }),
});

/**
 * The request's client, for the core: with the device key it proved (`dpopJkt`, set by
 * `signInProcedure` and `protectedProcedure`), which a session it starts is bound to.
 */
function clientInfo(ctx: Context & { dpopJkt?: string | null }): ClientInfo {
  return { userAgent: ctx.request.userAgent, ip: ctx.request.ip, dpopJkt: ctx.dpopJkt ?? null };
}

/**
 * Runs a passkey ceremony, putting every refusal on the record: the client's message is generic
 * by design, so the operator's log is where a wrong origin or RP ID shows. A counter that did
 * not grow may mean a cloned key: a warning.
 */
async function loggingPasskeyRefusals<T>(ctx: Context, ceremony: () => Promise<T>): Promise<T> {
  try {
    return await ceremony();
  } catch (error) {
    if (error instanceof AuthError && error.code === 'PASSKEY_REFUSED') {
      const entry = { event: 'passkey_refused', ...error.details, ...clientInfo(ctx) };
      if (error.details.reason === 'counter_regressed') {
        ctx.log.warn(entry, 'passkey refused: its signature counter did not grow (a cloned authenticator?)');
      } else {
        ctx.log.info(entry, 'passkey refused');
      }
    }
    throw error;
  }
}

/** The contract's refresh cookie: the name, and the path under the default mount. */
export const DEFAULT_REFRESH_COOKIE: RefreshCookieOptions = {
  name: '__Secure-tessera_refresh',
  path: `${TRPC_PATH}/auth.refresh`,
};

/**
 * The auth procedures, owning their refresh cookie (name, path, attributes): nothing else in the
 * app touches it. Mount it with `mountAuthRouter`, which derives the cookie's path from where
 * the router is mounted.
 *
 * @example
 * const appRouter = router({ ...mountAuthRouter({ prefix: '/trpc' }), notes: notesRouter });
 */
export function createAuthRouter(
  options: { cookie: RefreshCookieOptions; features?: readonly Feature[] } = { cookie: DEFAULT_REFRESH_COOKIE },
) {
  const cookie = refreshCookie(options.cookie);
  const features = options.features ?? [];

  /** Puts the refresh token in its cookie and returns only what the client may hold. */
  const handOver = (ctx: Context, signedIn: SignedIn) => {
    cookie.set(ctx.response, signedIn.refreshToken, signedIn.refreshTokenExpiresAt);
    return signedIn.session;
  };

  /** A session, or (two-step verification) the pending sign-in as it is: no cookie until the second step. */
  const handOverOrSecondStep = (ctx: Context, result: SignedIn | SecondStep) =>
    needsSecondStep(result) ? result : handOver(ctx, result);

  return router({
    register: signInProcedure
      .input(registerInput)
      .mutation(async ({ ctx, input }) => handOver(ctx, await ctx.auth.register(input, clientInfo(ctx)))),

    /**
     * A Session and the refresh cookie; for an account with two-step verification, no cookie yet
     * but `{ secondFactorRequired: true, pendingSignIn }` for `twoFactor.verify`.
     */
    login: signInProcedure
      .input(loginInput)
      .mutation(async ({ ctx, input }) => handOverOrSecondStep(ctx, await ctx.auth.login(input, clientInfo(ctx)))),

    refresh: signInProcedure.mutation(async ({ ctx }) => {
      const token = cookie.read(ctx.request.cookieHeader);
      if (token === null) throw unauthorized('REFRESH_TOKEN_MISSING', messages.sessionExpired);
      try {
        const refreshed = await ctx.auth.refresh(token, clientInfo(ctx));
        if (refreshed.graceRetry) {
          // Two tabs or a lost response, from the client that made the exchange: honoured, and
          // on the record in case it is anything else.
          ctx.log.info(
            { event: 'refresh_grace_retry', sessionId: refreshed.sessionId, ...clientInfo(ctx) },
            'refresh token retried within the grace window',
          );
        }
        return handOver(ctx, refreshed);
      } catch (error) {
        // Throttled: the token was not looked at, so it stays good and the cookie stays.
        if (error instanceof RateLimitedError) throw error;
        // The session is bound to a device key this request did not prove: whoever sent it could
        // not use it, and the owner still can, so the cookie stays where it is.
        if (error instanceof AuthError && error.details.reason === 'wrong_key') {
          throw dpopRefusal(ctx, 'DPOP_PROOF_INVALID', 'refresh token of a session bound to another key');
        }
        if (error instanceof AuthError) {
          if (error.details.reason === 'reused') {
            ctx.log.warn(
              {
                event: 'refresh_token_reuse',
                sessionId: error.details.sessionId,
                reuse: error.details.reuse,
                ...clientInfo(ctx),
              },
              'refresh token replayed: session revoked',
            );
          }
          // The cookie is dead whatever the reason; the error table says why to the client.
          cookie.clear(ctx.response);
          throw error;
        }
        // The database failed (the transaction rolled back, so the token is still good): the
        // client should retry later with the cookie it has, not sign the user out.
        ctx.log.error({ err: error }, 'refresh failed');
        throw fail('SERVICE_UNAVAILABLE', messages.unavailable);
      }
    }),

    logout: protectedProcedure.mutation(async ({ ctx }) => {
      await ctx.auth.logout({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx));
      cookie.clear(ctx.response);
      return { ok: true as const };
    }),

    logoutAll: liveSessionProcedure.mutation(async ({ ctx }) => {
      await ctx.auth.logoutAll({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx));
      cookie.clear(ctx.response);
      return { ok: true as const };
    }),

    sessions: router({
      list: sessionProcedure.query(async ({ ctx }) =>
        (await ctx.auth.listSessions(ctx.user.id)).map((session) => ({
          ...session,
          current: session.id === ctx.sessionId,
        })),
      ),

      revoke: sessionProcedure.input(revokeSessionInput).mutation(async ({ ctx, input }) => {
        await ctx.auth.revokeSession({ userId: ctx.user.id, sessionId: ctx.sessionId }, input.id, clientInfo(ctx));
        if (input.id === ctx.sessionId) cookie.clear(ctx.response);
        return { ok: true as const };
      }),
    }),

    account: router({
      /**
       * Everything kept about the account, as one JSON document for its owner to take away (a
       * fresh proof first): the account, its sessions, activity, passkeys and connected accounts,
       * and each feature's data under its name. No secret, hash or token is in it.
       */
      export: freshProcedure.query(async ({ ctx }) => {
        const exportedAt = Date.now();
        const core = await ctx.auth.exportAccount({ userId: ctx.user.id, sessionId: ctx.sessionId }, exportedAt);
        if (!core) throw sessionRevoked(null);
        const parts = await Promise.all(
          features.map(async (feature) => [
            feature.migrations.name,
            await feature.account.exportUserData(ctx.stores, ctx.user.id),
          ]),
        );
        return { format: 'tessera-export/1' as const, exportedAt, ...core, features: Object.fromEntries(parts) };
      }),

      /**
       * Deletes the caller's account (a fresh proof first, and the address typed again): every
       * session ends at once, every feature's rows and the core's personal rows go, a proved
       * address gets a goodbye. The last admin is refused (PRECONDITION_FAILED).
       */
      delete: freshProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
        const owner = { userId: ctx.user.id, sessionId: ctx.sessionId };
        await deleteAccountEverywhere(ctx, features, { owner, confirmEmail: input.confirmEmail });
        cookie.clear(ctx.response);
        return { ok: true as const };
      }),
    }),

    activity: router({
      /** The user's last security events, newest first: sign-ins, sign-outs, revocations, reuse. */
      list: sessionProcedure.query(({ ctx }) => ctx.auth.recentActivity(ctx.user.id)),
    }),

    changePassword: sessionProcedure
      .input(changePasswordInput)
      .mutation(async ({ ctx, input }) =>
        handOver(
          ctx,
          await ctx.auth.changePassword({ userId: ctx.user.id, sessionId: ctx.sessionId, ...input }, clientInfo(ctx)),
        ),
      ),

    password: router({
      /** `{ hasPassword }`: an account made by a provider may have none yet (then `set` gives it one). */
      status: sessionProcedure.query(async ({ ctx }) => ({ hasPassword: await ctx.auth.hasPassword(ctx.user.id) })),

      /**
       * The first password of an account without one (a fresh proof first): ends every session,
       * as a change does, and answers a new Session and cookie for this browser.
       */
      set: freshProcedure
        .input(setPasswordInput)
        .mutation(async ({ ctx, input }) =>
          handOver(
            ctx,
            await ctx.auth.setPassword({ userId: ctx.user.id, sessionId: ctx.sessionId, ...input }, clientInfo(ctx)),
          ),
        ),

      /**
       * Always `{ ok: true }`, the same for every address, at the same speed: whether it has an
       * account is never told (the mail goes out, or not, after the answer).
       */
      requestReset: sameOriginProcedure.input(requestResetInput).mutation(async ({ ctx, input }) => {
        await ctx.auth.requestPasswordReset(input.email, clientInfo(ctx));
        return { ok: true as const };
      }),

      /**
       * Sets the new password from a mailed link, ends every other session, and signs this browser
       * in (with two-step verification, answers the pending sign-in as `login` does).
       * `removedPasskeys`: the passkeys removed because this was the address's first proof;
       * `keptPasskeys`: those the account keeps, for its owner to check.
       */
      reset: signInProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
        const { removedPasskeys, keptPasskeys, ...result } = await ctx.auth.resetPassword(input, clientInfo(ctx));
        return { ...handOverOrSecondStep(ctx, result), removedPasskeys, keptPasskeys };
      }),
    }),

    email: router({
      verify: sameOriginProcedure.input(verifyEmailInput).mutation(async ({ ctx, input }) => {
        await ctx.auth.verifyEmail(input.token, clientInfo(ctx));
        return { ok: true as const };
      }),

      /** Mails the signed-in user a fresh confirmation link (throttled). */
      requestVerification: liveSessionProcedure.mutation(async ({ ctx }) => {
        await ctx.auth.requestEmailVerification({ userId: ctx.user.id, sessionId: ctx.sessionId });
        return { ok: true as const };
      }),

      /**
       * Mails a link to `newEmail` that makes it this account's address (a fresh proof first).
       * Always `{ ok: true }`, as fast, whether or not another account has the address: nothing
       * is sent then. BAD_REQUEST when it is the account's address already.
       */
      requestChange: freshProcedure.input(requestEmailChangeInput).mutation(async ({ ctx, input }) => {
        const caller = { userId: ctx.user.id, sessionId: ctx.sessionId };
        await ctx.auth.requestEmailChange(caller, input.newEmail, clientInfo(ctx));
        return { ok: true as const };
      }),

      /**
       * Makes the link's address the account's: `{ email, endedSessions }`. Every session ends
       * but the one that opened the link, if it is signed in to that account (it keeps going;
       * its next refresh carries the new address). The old address is mailed a way back.
       */
      confirmChange: sameOriginProcedure.input(emailChangeTokenInput).mutation(async ({ ctx, input }) => {
        const openedIn = await callerIfSignedIn(ctx);
        return ctx.auth.confirmEmailChange(input.token, openedIn, clientInfo(ctx));
      }),

      /**
       * The old address's way back: puts it back, ends every session, removes passkeys, two-step
       * verification and connected accounts: `{ email, endedSessions }`. The password stays.
       */
      undoChange: sameOriginProcedure
        .input(emailChangeTokenInput)
        .mutation(({ ctx, input }) => ctx.auth.undoEmailChange(input.token, clientInfo(ctx))),
    }),

    passkeys: router({
      /**
       * Whether this server takes passkeys at all (not when PUBLIC_ORIGIN is an IP address, which
       * cannot be a relying party): pages hide their passkey buttons rather than offer a refusal.
       */
      available: publicProcedure.query(({ ctx }) => ({ available: ctx.auth.passkeysUnavailable === null })),

      /** Options for `navigator.credentials.create()`: a challenge bound to this session, for 5 minutes. */
      registrationOptions: freshProcedure.mutation(({ ctx }) =>
        ctx.auth.passkeys.registrationOptions({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx)),
      ),

      /** Verifies the new credential and keeps its public key; returns it as `list` shows it. */
      register: freshProcedure
        .input(registerPasskeyInput)
        .mutation(({ ctx, input }) =>
          loggingPasskeyRefusals(ctx, () =>
            ctx.auth.passkeys.register({ userId: ctx.user.id, sessionId: ctx.sessionId }, input, clientInfo(ctx)),
          ),
        ),

      /** The caller's passkeys, oldest first: id, name, created, last used, device type, backed up. */
      list: sessionProcedure.query(({ ctx }) => ctx.auth.passkeys.list(ctx.user.id)),

      /** Removes one; the last only while the account has a password. A fresh proof first. */
      remove: freshProcedure.input(removePasskeyInput).mutation(async ({ ctx, input }) => {
        await ctx.auth.passkeys.remove({ userId: ctx.user.id, sessionId: ctx.sessionId }, input.id, clientInfo(ctx));
        return { ok: true as const };
      }),

      /**
       * Removes every passkey of the caller's (after a reset, say): how many. A fresh proof first:
       * a passkey may be the account's second factor.
       */
      removeAll: freshProcedure.mutation(async ({ ctx }) => ({
        removed: await ctx.auth.passkeys.removeAll({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx)),
      })),

      /** Options for `navigator.credentials.get()`, for anyone: the browser offers this site's passkeys. */
      authenticationOptions: sameOriginProcedure.mutation(({ ctx }) =>
        ctx.auth.passkeys.authenticationOptions(clientInfo(ctx)),
      ),

      /** Signs in with the signed challenge, exactly as `login` does: a Session, and the refresh cookie. */
      authenticate: signInProcedure
        .input(authenticatePasskeyInput)
        .mutation(async ({ ctx, input }) =>
          handOver(
            ctx,
            await loggingPasskeyRefusals(ctx, () => ctx.auth.passkeys.authenticate(input, clientInfo(ctx))),
          ),
        ),
    }),

    /**
     * Proves the password or a passkey again inside this session: a fresh access token for the
     * same session (its `auth_time` now), for the changes `freshProcedure` guards. The refresh
     * cookie stays as it is.
     */
    reauthenticate: sessionProcedure
      .input(reauthenticateInput)
      .mutation(({ ctx, input }) =>
        loggingPasskeyRefusals(ctx, () =>
          ctx.auth.reauthenticate({ userId: ctx.user.id, sessionId: ctx.sessionId }, input, clientInfo(ctx)),
        ),
      ),

    twoFactor: router({
      /** `{ enabled, recoveryCodesLeft }`: the Account page says when fewer than 3 are left. */
      status: sessionProcedure.query(({ ctx }) => ctx.auth.twoFactor.status(ctx.user.id)),

      /**
       * `{ secret, uri }`: a new TOTP secret (base32) and its `otpauth://totp/` URI for the QR
       * code; nothing changes until `confirm`. A fresh proof first.
       */
      setup: freshProcedure.mutation(({ ctx }) =>
        ctx.auth.twoFactor.setup({ userId: ctx.user.id, sessionId: ctx.sessionId }),
      ),

      /** Turns it on with a code from the app: `{ recoveryCodes }`, shown this once. */
      confirm: freshProcedure
        .input(confirmTwoFactorInput)
        .mutation(({ ctx, input }) =>
          ctx.auth.twoFactor.confirm({ userId: ctx.user.id, sessionId: ctx.sessionId }, input.code, clientInfo(ctx)),
        ),

      /** Turns it off (the secret and the recovery codes go). A fresh proof first. */
      disable: freshProcedure.mutation(async ({ ctx }) => {
        await ctx.auth.twoFactor.disable({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx));
        return { ok: true as const };
      }),

      /** Ten new recovery codes in place of the old: `{ recoveryCodes }`. A fresh proof first. */
      regenerateRecoveryCodes: freshProcedure.mutation(({ ctx }) =>
        ctx.auth.twoFactor.regenerateRecoveryCodes({ userId: ctx.user.id, sessionId: ctx.sessionId }, clientInfo(ctx)),
      ),

      /**
       * The second step of a sign-in: `{ pendingSignIn }` with a `code`, a `recoveryCode` or a
       * `passkey` (an answer to `passkeys.authenticationOptions`). A Session and the refresh
       * cookie, as `login` answers. Without `pendingSignIn`, the one a provider's sign-in left in
       * its cookie (cleared once it succeeds).
       */
      verify: signInProcedure.input(verifyTwoFactorInput).mutation(async ({ ctx, input }) => {
        // After a provider's sign-in the handle is in an HttpOnly cookie, not in the input.
        const fromCookie = input.pendingSignIn === undefined;
        const pendingSignIn = input.pendingSignIn ?? pendingSignInCookie.read(ctx.request.cookieHeader);
        if (pendingSignIn === null) throw new AuthError('PENDING_SIGN_IN_EXPIRED');
        const signedIn = await loggingPasskeyRefusals(ctx, () =>
          ctx.auth.twoFactor.verify({ ...input, pendingSignIn }, clientInfo(ctx)),
        );
        if (fromCookie) pendingSignInCookie.clear(ctx.response);
        return handOver(ctx, signedIn);
      }),
    }),

    social: router({
      /** The providers offered (only those configured): `[{ provider, name }]`, for the buttons. */
      providers: publicProcedure.query(({ ctx }) => ctx.auth.identityProviders()),

      /**
       * Starts a sign-in (or sign-up) through a provider: `{ url }` to send the browser to, and
       * the cookie that binds the answer to this browser. The answer comes to
       * `/auth/callback/<provider>`, which signs in and sends the browser to the app.
       */
      start: signInProcedure.input(providerInput).mutation(async ({ ctx, input }) => {
        const started = await ctx.auth.startSocialSignIn(input.provider, clientInfo(ctx));
        providerBindingCookie.set(ctx.response, started.browserBinding, started.expiresAt);
        return { url: started.url };
      }),
    }),

    identities: router({
      /** The caller's connected accounts, oldest first: `{ id, provider, displayName, createdAt, lastUsedAt }`. */
      list: sessionProcedure.query(({ ctx }) => ctx.auth.listIdentities(ctx.user.id)),

      /** Connects a provider to this account (a fresh proof first): `{ url }`, as `social.start`. */
      connect: freshProcedure.input(providerInput).mutation(async ({ ctx, input }) => {
        const caller = { userId: ctx.user.id, sessionId: ctx.sessionId };
        const started = await ctx.auth.startIdentityLink(input.provider, caller, clientInfo(ctx));
        providerBindingCookie.set(ctx.response, started.browserBinding, started.expiresAt);
        return { url: started.url };
      }),

      /**
       * A fresh proof through a connected provider (step-up without a password): `{ url }`, as
       * `social.start`. The answer records the proof on this session and sends the browser to
       * `/account?reauthenticated=<provider>`; its next refresh carries `auth_time` now.
       */
      reauthenticate: sessionProcedure.input(providerInput).mutation(async ({ ctx, input }) => {
        const caller = { userId: ctx.user.id, sessionId: ctx.sessionId };
        const started = await ctx.auth.startProviderReauthentication(input.provider, caller, clientInfo(ctx));
        providerBindingCookie.set(ctx.response, started.browserBinding, started.expiresAt);
        return { url: started.url };
      }),

      /** Disconnects one (a fresh proof first), never the account's last way to sign in. */
      disconnect: freshProcedure
        .input(z.strictObject({ id: z.uuid('Unknown connected account.') }))
        .mutation(async ({ ctx, input }) => {
          await ctx.auth.unlinkIdentity({ userId: ctx.user.id, sessionId: ctx.sessionId }, input.id, clientInfo(ctx));
          return { ok: true as const };
        }),
    }),

    me: protectedProcedure.query(async ({ ctx }) => {
      const user = await ctx.auth.getUser(ctx.user.id);
      if (!user) throw unauthorized('ACCESS_TOKEN_INVALID');
      return user;
    }),
  });
}

/**
 * The auth router under its key (`auth`), with the cookie path that mount implies: spread it
 * into the app's router.
 *
 * @example
 * router({ ...mountAuthRouter({ prefix: TRPC_PATH }), notes: notesRouter });
 */
export function mountAuthRouter(options: { prefix: string; cookieName?: string; features?: readonly Feature[] }) {
  return {
    auth: createAuthRouter({
      cookie: { name: options.cookieName ?? DEFAULT_REFRESH_COOKIE.name, path: `${options.prefix}/auth.refresh` },
      features: options.features,
    }),
  };
}

export type AuthRouter = ReturnType<typeof createAuthRouter>;
