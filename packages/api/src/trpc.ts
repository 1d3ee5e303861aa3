import { type Auth, AuthError, type Caller } from '@tessera/auth';
import type { FailureReason, Role } from '@tessera/contract';
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context';
import { presentedToken, provenDeviceKey, requireProofOfKey } from './dpop';
import {
  fail,
  messages,
  RefusedError,
  reasonOf,
  sessionEndOf,
  sessionRevoked,
  toClientError,
  unauthorized,
} from './errors';

const t = initTRPC.context<Context>().create({
  // Never put stack traces in responses, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const { stack: _stack, ...rest } = shape.data;
    const sessionEnd = sessionEndOf(error);
    // `sessionEnd` only where there is one: every other answer keeps its shape.
    const data = { ...rest, reason: reasonOf(error), ...(sessionEnd === null ? {} : { sessionEnd }) };
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      // The original message may hold SQL or library text: it goes to the log, not the client.
      return { ...shape, message: messages.internal, data: { ...data, requestId: ctx?.request.requestId ?? null } };
    }
    if (error.cause instanceof ZodError) {
      const fieldErrors = error.cause.issues.map((issue) => ({
        field: issue.path.join('.') || null,
        message: issue.message,
      }));
      return { ...shape, message: inputErrorMessage(fieldErrors), data: { ...data, fieldErrors } };
    }
    return { ...shape, data };
  },
});

/**
 * The message of a refused input, as sentences a page can show: our schemas' messages are
 * sentences already ("Title must be at most 200 characters."); a library default ("Too big: …")
 * gets its field's path in front and a full stop.
 *
 * @example
 * inputErrorMessage([{ field: 'title', message: 'Give the note a title.' }]); // 'Give the note a title.'
 */
export function inputErrorMessage(fieldErrors: readonly { field: string | null; message: string }[]): string {
  return fieldErrors
    .map(({ field, message }) => (/[.!?]$/.test(message) ? message : `${field ? `${field}: ` : ''}${message}.`))
    .join(' ');
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every procedure starts here: errors the core or the database throw become client errors in one
 * place (`toClientError`: a core error's code, an unreachable database, text the database cannot
 * store), so no procedure needs a try/catch to translate them.
 */
const baseProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const { cause } = result.error;
  // A TRPCError a procedure chose to throw keeps its code; only what it did not expect is mapped.
  if (cause instanceof AuthError || result.error.code === 'INTERNAL_SERVER_ERROR') {
    const clientError = toClientError(cause);
    if (clientError !== cause) throw clientError;
  }
  return result;
});

/** Open to anyone, from anywhere: for procedures that need no credential and set no cookie. */
export const publicProcedure = baseProcedure;

/**
 * For procedures that sign in or read the refresh cookie (CSRF's targets): refuses a request a
 * browser marks as coming from another site. Clients that are not browsers send neither header
 * and are let through; they carry no ambient cookie to abuse.
 */
export const sameOriginProcedure = baseProcedure.use(({ ctx, next }) => {
  const { origin, secFetchSite } = ctx.request;
  if (origin !== null && origin !== ctx.publicOrigin) throw fail('FORBIDDEN', messages.wrongOrigin(ctx.publicOrigin));
  if (secFetchSite === 'cross-site') throw fail('FORBIDDEN', messages.crossSite);
  return next();
});

/**
 * For the procedures that start a session or refresh one: a same-origin procedure that also reads
 * the request's DPoP proof, and gives the key it proves (`ctx.dpopJkt`) for the session to be
 * bound to, or null for a Bearer session (refused under DPOP=required). A bad proof is refused.
 */
export const signInProcedure = sameOriginProcedure.use(({ ctx, next }) =>
  next({ ctx: { dpopJkt: provenDeviceKey(ctx) } }),
);

const refusedAccess: Record<'invalid' | 'expired', readonly [FailureReason, string]> = {
  invalid: ['ACCESS_TOKEN_INVALID', messages.authenticationRequired],
  expired: ['ACCESS_TOKEN_EXPIRED', messages.accessTokenExpired],
};

type SessionStatus = Awaited<ReturnType<Auth['sessionStatus']>>;
const refusedSession: Record<Exclude<SessionStatus, 'live'>, readonly [FailureReason, string]> = {
  revoked: ['SESSION_REVOKED', messages.sessionRevoked],
  expired: ['SESSION_EXPIRED', messages.sessionExpired],
};

/**
 * Reads the session row and refuses the caller unless it is live: the one rule for sensitive
 * procedures, and for every protected one while the list of ended sessions is stale. A database
 * that cannot answer is SERVICE_UNAVAILABLE (the base procedure maps its error), never a pass.
 */
async function requireLiveSession(auth: Auth, caller: Caller): Promise<void> {
  const status = await auth.sessionStatus(caller);
  if (status !== 'live') throw unauthorized(...refusedSession[status]);
}

/**
 * Requires a valid access token (`Authorization: Bearer …`, or `DPoP …` with a proof from the
 * device key a bound token names: see dpop.ts) of a session that has not ended,
 * checked with the keys and the list of ended sessions in memory (no database), and narrows the
 * context to the signed-in user and session. Fails closed: while that list is stale (its feed has
 * not caught up for over 5 s, so another instance's revocation may be missing), the session row
 * is confirmed as `sessionProcedure` does (issue 20, finding 4).
 */
export const protectedProcedure = baseProcedure.use(async ({ ctx, next }) => {
  const header = ctx.request.authorization;
  if (header === null) throw unauthorized('ACCESS_TOKEN_MISSING');
  const presented = presentedToken(header);
  if (presented === null) throw unauthorized('ACCESS_TOKEN_INVALID');
  const check = await ctx.auth.verifyAccessToken(presented.token);
  if (!check.ok) {
    throw check.reason === 'revoked' ? sessionRevoked(check.sessionEnd) : unauthorized(...refusedAccess[check.reason]);
  }
  const { userId, role, sessionId, authTime, dpopJkt } = check.token;
  // A token bound to a device key is worth nothing without a fresh proof from it, cached or not.
  requireProofOfKey(ctx, presented, dpopJkt);
  if (ctx.auth.revocationListStale()) await requireLiveSession(ctx.auth, { userId, sessionId });
  return next({ ctx: { user: { id: userId, role }, sessionId, authTime, dpopJkt } });
});

/**
 * The signed-in caller, if the request carries a valid access token of a session this process
 * has not seen end (with the proof a bound token needs); null otherwise, never a refusal: for a
 * link a browser may open signed in or not (confirming a new address keeps the session that
 * opened it, and ends the others).
 *
 * @example
 * const openedIn = await callerIfSignedIn(ctx); // { userId, sessionId } or null
 */
export async function callerIfSignedIn(ctx: Context): Promise<Caller | null> {
  const header = ctx.request.authorization;
  const presented = header === null ? null : presentedToken(header);
  if (presented === null) return null;
  const check = await ctx.auth.verifyAccessToken(presented.token);
  if (!check.ok) return null;
  try {
    requireProofOfKey(ctx, presented, check.token.dpopJkt);
  } catch {
    return null;
  }
  return { userId: check.token.userId, sessionId: check.token.sessionId };
}

/**
 * A protected procedure that also reads the session row and refuses it unless it is live, verified
 * address or not: for the ways out of an unverified session ("sign out everywhere", mailing a new
 * confirmation link), which REQUIRE_VERIFIED_EMAIL must not block.
 */
export const liveSessionProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  await requireLiveSession(ctx.auth, { userId: ctx.user.id, sessionId: ctx.sessionId });
  return next();
});

/**
 * A live session (see `liveSessionProcedure`) of a user allowed in: while REQUIRE_VERIFIED_EMAIL is
 * on, an unverified address is UNAUTHORIZED `EMAIL_NOT_VERIFIED`. For sensitive operations
 * (changing the password, ending sessions, reading the security activity), which must hold even if
 * this process's list of ended sessions has fallen behind.
 */
export const sessionProcedure = liveSessionProcedure.use(async ({ ctx, next }) => {
  if (await ctx.auth.mustVerifyEmail(ctx.user.id)) throw unauthorized('EMAIL_NOT_VERIFIED', messages.emailNotVerified);
  return next();
});

/**
 * A session procedure for a sensitive change (adding a passkey): its owner must have proved the
 * password or a passkey within `REAUTH_MAX_AGE` (the access token's `auth_time`), or it is
 * UNAUTHORIZED with reason `REAUTH_REQUIRED`; `auth.reauthenticate` gives a token that passes.
 * So a stolen access token alone cannot buy a lasting credential.
 *
 * @example
 * export const router = router({ addKey: freshProcedure.mutation(({ ctx }) => …) });
 */
export const freshProcedure = sessionProcedure.use(({ ctx, next }) => {
  requireFreshProof(ctx);
  return next();
});

/** The proof behind the caller's access token is younger than `REAUTH_MAX_AGE`, or `REAUTH_REQUIRED`. */
function requireFreshProof(ctx: { auth: Auth; authTime: number }): void {
  if (!ctx.auth.proofIsFresh(ctx.authTime)) throw unauthorized('REAUTH_REQUIRED', messages.reauthRequired);
}

/**
 * A session procedure for one role: anyone else is FORBIDDEN. The role comes from the access
 * token (a role change ends the user's sessions, so no live token carries a stale one), and the
 * context's `user.role` is narrowed to it.
 *
 * @example
 * export const adminRouter = router({ stats: roleProcedure('admin').query(({ ctx }) => ctx.user.role) }); // 'admin'
 */
export function roleProcedure<TRole extends Role>(role: TRole) {
  return sessionProcedure.use(async ({ ctx, next }) => {
    if (ctx.user.role !== role) throw fail('FORBIDDEN', messages.forbidden);
    // REQUIRE_2FA_FOR_ADMINS: an admin account is worth a second factor before it acts.
    if (role === 'admin' && (await ctx.auth.mustSetUpTwoFactor(ctx.user.id))) {
      throw new RefusedError('FORBIDDEN', 'TWO_FACTOR_REQUIRED', messages.twoFactorRequired);
    }
    return next({ ctx: { user: { ...ctx.user, role } } });
  });
}

/**
 * A role procedure for a sensitive change (an admin resetting someone's second factor): the role,
 * and a fresh proof as `freshProcedure` asks.
 *
 * @example
 * export const adminRouter = router({ reset: freshRoleProcedure('admin').mutation(({ ctx }) => …) });
 */
export function freshRoleProcedure<TRole extends Role>(role: TRole) {
  return roleProcedure(role).use(({ ctx, next }) => {
    requireFreshProof(ctx);
    return next();
  });
}
