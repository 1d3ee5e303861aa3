import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import type { TotpUse } from './fragments';
import type { TwoFactorSteps } from './steps';
import { recoveryCodeRows } from './two-factor';

/**
 * Turns two-step verification on: confirms the secret the code proved, and replaces the recovery
 * codes, in one transaction. False when the secret is no longer the one set up (a newer setup)
 * or it was confirmed already (of two confirmations, one wins).
 */
export function* confirmTotp(
  steps: TwoFactorSteps,
  use: TotpUse,
  codeHashes: readonly string[],
  now: number,
): Step<boolean> {
  if ((yield* steps.confirmSecret(use, now)) !== 1) return false;
  yield* replaceCodes(steps, use.userId, codeHashes, now);
  return true;
}

/** Turns two-step verification off (secret and recovery codes gone). False when it was not on. */
export function* disableTwoFactor(steps: TwoFactorSteps, userId: string): Step<boolean> {
  const state = yield* steps.totpOf(userId);
  if (state?.enabledAt == null) return false;
  yield* steps.clearTotp(userId);
  yield* steps.deleteRecoveryCodes(userId);
  return true;
}

/** A new set of recovery codes in place of every old one, only while two-step verification is on. */
export function* replaceRecoveryCodes(
  steps: TwoFactorSteps,
  userId: string,
  codeHashes: readonly string[],
  now: number,
): Step<boolean> {
  const state = yield* steps.totpOf(userId);
  if (state?.enabledAt == null) return false;
  yield* replaceCodes(steps, userId, codeHashes, now);
  return true;
}

function* replaceCodes(steps: TwoFactorSteps, userId: string, codeHashes: readonly string[], now: number): Step<void> {
  yield* steps.deleteRecoveryCodes(userId);
  if (codeHashes.length > 0) yield* steps.insertRecoveryCodes(recoveryCodeRows(userId, codeHashes, now));
}

/**
 * The store's two-step verification methods on an engine. Single uses (a code's step, a recovery
 * code, a pending sign-in's attempt and its completion) are each one compare-and-swap statement.
 *
 * @example
 * const store = { ...twoFactorOperations(sqliteEngine(db, sqliteTwoFactorSteps(db))), ... };
 */
export function twoFactorOperations(
  engine: Engine<TwoFactorSteps>,
): Pick<
  AuthStore,
  | 'findTotp'
  | 'setUnconfirmedTotpSecret'
  | 'confirmTotp'
  | 'useTotpStep'
  | 'disableTwoFactor'
  | 'replaceRecoveryCodes'
  | 'useRecoveryCode'
  | 'countRecoveryCodes'
  | 'createPendingSignIn'
  | 'countPendingSignInAttempt'
  | 'takePendingSignIn'
> {
  const one = (n: number) => n === 1;
  return {
    findTotp: (userId) =>
      engine.read(function* (steps) {
        return (yield* steps.totpOf(userId)) ?? null;
      }),
    setUnconfirmedTotpSecret: (userId, secretSealed) =>
      engine.read(function* (steps) {
        return one(yield* steps.setUnconfirmedSecret(userId, secretSealed));
      }),
    confirmTotp: (use, codeHashes, now) => engine.write((steps) => confirmTotp(steps, use, codeHashes, now)),
    useTotpStep: (use) =>
      engine.read(function* (steps) {
        return one(yield* steps.useStep(use));
      }),
    disableTwoFactor: (userId) => engine.write((steps) => disableTwoFactor(steps, userId)),
    replaceRecoveryCodes: (userId, codeHashes, now) =>
      engine.write((steps) => replaceRecoveryCodes(steps, userId, codeHashes, now)),
    useRecoveryCode: (userId, codeHash, now) =>
      engine.read(function* (steps) {
        return one(yield* steps.useRecoveryCode(userId, codeHash, now));
      }),
    countRecoveryCodes: (userId) => engine.read((steps) => steps.unusedRecoveryCodes(userId)),
    createPendingSignIn: (row) => engine.read((steps) => steps.insertPendingSignIn(row)),
    countPendingSignInAttempt: (attempt, limit) =>
      engine.read(function* (steps) {
        return (yield* steps.countPendingAttempt(attempt, limit)) ?? null;
      }),
    takePendingSignIn: (handleHash, now) =>
      engine.read(function* (steps) {
        return (yield* steps.takePendingSignIn(handleHash, now)) ?? null;
      }),
  };
}
