import type { Step } from '../store/step';
import type { TotpUse } from './fragments';
import type {
  PendingSignInAttempt,
  PendingSignInRecord,
  PendingSignInRow,
  RecoveryCodeRow,
  TotpState,
} from './two-factor';

/**
 * The single statements the two-step verification rules (operations.ts) are written over;
 * `engines/sqlite/two-factor.ts` and `engines/postgres/two-factor.ts` supply them.
 */
export interface TwoFactorSteps {
  /** The user's TOTP state; in a transaction, the user's row locked (PostgreSQL: `FOR UPDATE`). */
  totpOf(userId: string): Step<TotpState | undefined>;
  /** Stores a new, unconfirmed secret unless two-step verification is on: rows changed. */
  setUnconfirmedSecret(userId: string, secretSealed: string): Step<number>;
  /** Confirms the secret (see `totpConfirmation`): rows changed. */
  confirmSecret(use: TotpUse, now: number): Step<number>;
  /** Records a code's step (see `totpStepUse`): rows changed. */
  useStep(use: TotpUse): Step<number>;
  clearTotp(userId: string): Step<void>;
  deleteRecoveryCodes(userId: string): Step<void>;
  insertRecoveryCodes(rows: readonly RecoveryCodeRow[]): Step<void>;
  /** Marks the code used if it is the user's and unused: rows changed. */
  useRecoveryCode(userId: string, codeHash: string, now: number): Step<number>;
  unusedRecoveryCodes(userId: string): Step<number>;
  insertPendingSignIn(row: PendingSignInRow): Step<void>;
  /** Counts an attempt (see `pendingSignInAttempt`): the pending sign-in, or undefined when it took none. */
  countPendingAttempt(attempt: PendingSignInAttempt, limit: number): Step<PendingSignInRecord | undefined>;
  /** Deletes the unexpired pending sign-in and returns it: of two answers, one gets it. */
  takePendingSignIn(handleHash: string, now: number): Step<PendingSignInRecord | undefined>;
}
