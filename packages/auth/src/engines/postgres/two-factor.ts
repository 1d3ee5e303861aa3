import { pgSchema } from '@tessera/db';
import { count, eq } from 'drizzle-orm';
import {
  livePendingSignIn,
  pendingSignInAttempt,
  pendingSignInColumns,
  totpCleared,
  totpColumns,
  totpConfirmation,
  totpNotEnabled,
  totpStepUse,
  unusedRecoveryCode,
  unusedRecoveryCodesOf,
} from '../../two-factor/fragments';
import type { TwoFactorSteps } from '../../two-factor/steps';
import type { PgQueryable, PgStepsOn } from './engine';
import { changed, firstRow, run } from './statement-steps';

const { users, recoveryCodes, pendingSignIns } = pgSchema;

/**
 * The two-step verification steps on PostgreSQL. In a transaction the user's TOTP state is read
 * with the row locked (`FOR UPDATE`), where SQLite's IMMEDIATE transaction would hold the lock:
 * turning it off and replacing the codes queue behind each other.
 */
export const pgTwoFactorSteps: PgStepsOn<TwoFactorSteps> = (q: PgQueryable, inTransaction: boolean) => ({
  totpOf: (userId) => {
    const read = q.select(totpColumns(users)).from(users).where(eq(users.id, userId));
    return firstRow(inTransaction ? read.for('update') : read);
  },
  setUnconfirmedSecret: (userId, secretSealed) =>
    changed(q.update(users).set({ totpSecret: secretSealed }).where(totpNotEnabled(users, userId))),
  confirmSecret: (use, now) => {
    const { set, where } = totpConfirmation(users, use, now);
    return changed(q.update(users).set(set).where(where));
  },
  useStep: (use) => {
    const { set, where } = totpStepUse(users, use);
    return changed(q.update(users).set(set).where(where));
  },
  clearTotp: (userId) => run(q.update(users).set(totpCleared).where(eq(users.id, userId))),
  deleteRecoveryCodes: (userId) => run(q.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))),
  insertRecoveryCodes: (rows) => run(q.insert(recoveryCodes).values([...rows])),
  useRecoveryCode: (userId, codeHash, now) =>
    changed(
      q
        .update(recoveryCodes)
        .set({ usedAt: now })
        .where(unusedRecoveryCode(recoveryCodes, userId, codeHash)),
    ),
  unusedRecoveryCodes: function* (userId) {
    return (
      (yield* firstRow(
        q.select({ n: count() }).from(recoveryCodes).where(unusedRecoveryCodesOf(recoveryCodes, userId)),
      ))?.n ?? 0
    );
  },
  insertPendingSignIn: (row) => run(q.insert(pendingSignIns).values(row)),
  countPendingAttempt: (attempt, limit) => {
    const { set, where } = pendingSignInAttempt(pendingSignIns, attempt, limit);
    return firstRow(q.update(pendingSignIns).set(set).where(where).returning(pendingSignInColumns(pendingSignIns)));
  },
  takePendingSignIn: (handleHash, now) =>
    firstRow(
      q
        .delete(pendingSignIns)
        .where(livePendingSignIn(pendingSignIns, handleHash, now))
        .returning(pendingSignInColumns(pendingSignIns)),
    ),
});
