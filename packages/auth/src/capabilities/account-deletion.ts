import { accountDeletedMail } from '@tessera/mail';
import { AuthError } from '../errors';
import { sealedMail } from '../mailed-links/mailed-links';
import type { AuthContext, Caller } from './context';

/** Who deletes an account: its owner (who typed the address), or an admin. */
export type Deleter = { owner: Caller; confirmEmail: string } | { admin: Caller; userId: string };

/**
 * Deleting an account (account-life/operations.ts has the rule). The core's part only: the
 * server then asks every feature to delete the user's rows (`Feature.account.deleteUserData`).
 */
export function accountDeletionCapability({ config, box, store, userById, forget, wakeMailSender, now }: AuthContext) {
  return {
    /**
     * Deletes the account: its personal rows and mail go, its row is stripped, every session ends
     * (here at once, on every other instance as any ended session does), and a proved address
     * gets a goodbye. Returns the deleted user's id. Throws `DELETE_CONFIRMATION_MISMATCH` (the
     * owner typed another address), `LAST_ADMIN`, `SESSION_ENDED` (the owner's account is gone
     * already), `USER_NOT_FOUND` (an admin named no live account).
     */
    async deleteAccount(deleter: Deleter): Promise<{ userId: string }> {
      const userId = 'owner' in deleter ? deleter.owner.userId : deleter.userId;
      if ('owner' in deleter) {
        const user = await store.findUserById(userId);
        if (!user) throw new AuthError('SESSION_ENDED');
        if (user.email !== deleter.confirmEmail) throw new AuthError('DELETE_CONFIRMATION_MISMATCH');
      }
      const at = now();
      const link = `${config.issuer}/sign-up`;
      const byAdmin = 'admin' in deleter && deleter.admin.userId !== userId;
      const outcome = await store.deleteAccount(
        { userId, goodbye: (email) => sealedMail(box, accountDeletedMail({ to: email, at, byAdmin, link })) },
        at,
      );
      if (!outcome.ok) {
        if (outcome.reason === 'last_admin') throw new AuthError('LAST_ADMIN');
        throw new AuthError('owner' in deleter ? 'SESSION_ENDED' : 'USER_NOT_FOUND');
      }
      forget(outcome.ended.sessionIds, at, outcome.ended.reason);
      userById.forget(userId);
      if (outcome.goodbyeSent) wakeMailSender();
      return { userId };
    },
  };
}
