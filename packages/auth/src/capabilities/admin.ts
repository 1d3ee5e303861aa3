import type { Role } from '@tessera/contract';
import { twoFactorResetMail } from '@tessera/mail';
import type { UserOverview, UsersCursor } from '../accounts/admin';
import type { User } from '../accounts/users';
import type { ClientInfo } from '../sessions/client-info';
import type { AuthContext, Caller } from './context';

/** Acting on other accounts: the admin page (`roleProcedure('admin')`) and `npm run user:role`. */
export function adminCapability({ config, store, userById, record, endAllSessions, mailNotice, now }: AuthContext) {
  return {
    /**
     * Whether `REQUIRE_2FA_FOR_ADMINS` keeps this admin out of admin procedures until they set up
     * two-step verification (the user read at most once a second, forgotten when it changes here).
     */
    async mustSetUpTwoFactor(userId: string): Promise<boolean> {
      if (!config.requireTwoFactorForAdmins) return false;
      return !(await userById.get(userId))?.twoFactorEnabled;
    },

    /**
     * Gives the account with this email a role and ends all its sessions, so no live token
     * carries the old role. Null when there is no such account.
     */
    async setRole(email: string, role: Role): Promise<User | null> {
      const found = await store.findUserByEmail(email);
      if (!found) return null;
      const changed = await endAllSessions({ userId: found.id, reason: 'role_changed', role });
      return changed?.user ?? null;
    },

    /** Every account, newest first, a page at a time (the admin page). */
    listUsers(page: {
      limit: number;
      after: UsersCursor | null;
    }): Promise<{ items: UserOverview[]; next: UsersCursor | null }> {
      return store.listUsers(page, now());
    },

    /**
     * Ends every session of another user (an admin acting): at once in this process, within a
     * poll in the others. Returns false when there is no such user.
     */
    async revokeUserSessions(actor: Caller, userId: string, client: ClientInfo): Promise<boolean> {
      if (!(await endAllSessions({ userId, reason: 'revoked_by_admin' }))) return false;
      await record({ userId, type: 'signed_out_everywhere', sessionId: null, actorSessionId: actor.sessionId, client });
      return true;
    },

    /**
     * Turns another user's two-step verification off (they lost their authenticator and their
     * recovery codes): the secret and the codes go, every session ends (a thief's too), and the
     * owner is mailed. Returns false when there is no such user or it was not on.
     */
    async resetTwoFactor(actor: Caller, userId: string, client: ClientInfo): Promise<boolean> {
      const found = await store.findUserById(userId);
      if (!found?.twoFactorEnabled) return false;
      const changed = await endAllSessions({ userId, reason: 'two_factor_reset', removeSecondFactor: true });
      if (!changed) return false;
      await record({ userId, type: 'two_factor_reset', sessionId: null, actorSessionId: actor.sessionId, client });
      await mailNotice(twoFactorResetMail({ to: found.email, at: now(), link: `${config.issuer}/account` }));
      return true;
    },
  };
}
