import { and, type Column, eq, gt, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { PendingSignInAttempt } from './two-factor';

/**
 * The two-step verification statements' conditions, values and selections that are the same on
 * every engine, written once as functions of the columns (each engine passes its own tables).
 */
type Has<K extends string> = Record<K, Column>;
type TotpKey = 'id' | 'totpSecret' | 'totpEnabledAt' | 'totpLastStep';

/** The user's TOTP state as `TotpState` reads it (the engine's column types kept). */
export const totpColumns = <U extends Has<TotpKey>>(
  u: U,
): { secretSealed: U['totpSecret']; enabledAt: U['totpEnabledAt']; lastStep: U['totpLastStep'] } => ({
  secretSealed: u.totpSecret,
  enabledAt: u.totpEnabledAt,
  lastStep: u.totpLastStep,
});

/** The user, while two-step verification is off: a new secret may replace one not yet confirmed. */
export const totpNotEnabled = (u: Has<TotpKey>, userId: string): SQL | undefined =>
  and(eq(u.id, userId), isNull(u.totpEnabledAt));

/** A secret and the step of the code that proved it. */
export interface TotpUse {
  userId: string;
  secretSealed: string;
  step: number;
}

/**
 * Confirming a set-up secret: only the secret the code was checked against, and only while it is
 * not confirmed yet (of two confirmations, one wins; a newer setup meanwhile refuses the older).
 */
export const totpConfirmation = (u: Has<TotpKey>, use: TotpUse, now: number) => ({
  set: { totpEnabledAt: now, totpLastStep: use.step },
  where: and(eq(u.id, use.userId), eq(u.totpSecret, use.secretSealed), isNull(u.totpEnabledAt)),
});

/**
 * A code used: its step recorded only if it is later than the last one used, with the secret the
 * code was checked against still the enabled one. One statement, so of two requests with one
 * code (on any instances) one wins, and a code never works twice.
 */
export const totpStepUse = (u: Has<TotpKey>, use: TotpUse) => ({
  set: { totpLastStep: use.step },
  where: and(
    eq(u.id, use.userId),
    eq(u.totpSecret, use.secretSealed),
    isNotNull(u.totpEnabledAt),
    lt(u.totpLastStep, use.step),
  ),
});

/** Two-step verification off: no secret, nothing confirmed, no step used. */
export const totpCleared = { totpSecret: null, totpEnabledAt: null, totpLastStep: 0 };

/** One of the user's recovery codes, not used yet: a use is a compare-and-swap on `used_at`. */
export const unusedRecoveryCode = (r: Has<'userId' | 'codeHash' | 'usedAt'>, userId: string, codeHash: string) =>
  and(eq(r.userId, userId), eq(r.codeHash, codeHash), isNull(r.usedAt));

/** The user's recovery codes not used yet. */
export const unusedRecoveryCodesOf = (r: Has<'userId' | 'usedAt'>, userId: string) =>
  and(eq(r.userId, userId), isNull(r.usedAt));

type PendingKey =
  | 'handleHash'
  | 'userId'
  | 'credentialVersion'
  | 'firstFactor'
  | 'clientHash'
  | 'expiresAt'
  | 'attempts';

/** What a successful second step starts the session with. */
export const pendingSignInColumns = <P extends Has<PendingKey>>(
  p: P,
): Pick<P, 'userId' | 'credentialVersion' | 'firstFactor'> => ({
  userId: p.userId,
  credentialVersion: p.credentialVersion,
  firstFactor: p.firstFactor,
});

/**
 * An attempt counted before its answer is checked: only on the handle's row, from the client that
 * proved the password, before it expires, while attempts are left. Answers sent at once each
 * take one; none gets past the limit.
 */
export const pendingSignInAttempt = (p: Has<PendingKey>, attempt: PendingSignInAttempt, limit: number) => ({
  set: { attempts: sql`${p.attempts} + 1` },
  where: and(
    eq(p.handleHash, attempt.handleHash),
    eq(p.clientHash, attempt.clientHash),
    gt(p.expiresAt, attempt.now),
    lt(p.attempts, limit),
  ),
});

/** The pending sign-in, still unexpired: taken (deleted) by the answer that completes it. */
export const livePendingSignIn = (p: Has<PendingKey>, handleHash: string, now: number) =>
  and(eq(p.handleHash, handleHash), gt(p.expiresAt, now));
