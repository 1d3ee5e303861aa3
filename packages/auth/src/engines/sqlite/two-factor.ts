import { pendingSignIns, recoveryCodes, type TesseraDb, users } from '@tessera/db';
import { count, eq } from 'drizzle-orm';
import { immediate } from '../../store/step';
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

/** The two-step verification steps on SQLite: the IMMEDIATE transaction around a rule is its lock. */
export function sqliteTwoFactorSteps(db: TesseraDb): TwoFactorSteps {
  return {
    totpOf: (userId) => immediate(() => db.select(totpColumns(users)).from(users).where(eq(users.id, userId)).get()),
    setUnconfirmedSecret: (userId, secretSealed) =>
      immediate(
        () => db.update(users).set({ totpSecret: secretSealed }).where(totpNotEnabled(users, userId)).run().changes,
      ),
    confirmSecret: (use, now) => {
      const { set, where } = totpConfirmation(users, use, now);
      return immediate(() => db.update(users).set(set).where(where).run().changes);
    },
    useStep: (use) => {
      const { set, where } = totpStepUse(users, use);
      return immediate(() => db.update(users).set(set).where(where).run().changes);
    },
    clearTotp: (userId) => immediate(() => void db.update(users).set(totpCleared).where(eq(users.id, userId)).run()),
    deleteRecoveryCodes: (userId) =>
      immediate(() => void db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run()),
    insertRecoveryCodes: (rows) =>
      immediate(
        () =>
          void db
            .insert(recoveryCodes)
            .values([...rows])
            .run(),
      ),
    useRecoveryCode: (userId, codeHash, now) =>
      immediate(
        () =>
          db
            .update(recoveryCodes)
            .set({ usedAt: now })
            .where(unusedRecoveryCode(recoveryCodes, userId, codeHash))
            .run().changes,
      ),
    unusedRecoveryCodes: (userId) =>
      immediate(
        () =>
          db.select({ n: count() }).from(recoveryCodes).where(unusedRecoveryCodesOf(recoveryCodes, userId)).get()?.n ??
          0,
      ),
    insertPendingSignIn: (row) => immediate(() => void db.insert(pendingSignIns).values(row).run()),
    countPendingAttempt: (attempt, limit) => {
      const { set, where } = pendingSignInAttempt(pendingSignIns, attempt, limit);
      return immediate(() =>
        db.update(pendingSignIns).set(set).where(where).returning(pendingSignInColumns(pendingSignIns)).get(),
      );
    },
    takePendingSignIn: (handleHash, now) =>
      immediate(() =>
        db
          .delete(pendingSignIns)
          .where(livePendingSignIn(pendingSignIns, handleHash, now))
          .returning(pendingSignInColumns(pendingSignIns))
          .get(),
      ),
  };
}
