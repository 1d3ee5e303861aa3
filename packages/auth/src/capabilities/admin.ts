import type { Role } from '@tessera/contract';
import type { UserOverview, UsersCursor } from '../accounts/admin';
import type { User } from '../accounts/users';
import type { ClientInfo } from '../sessions/client-info';
import type { AuthContext, Caller } from './context';

/** Acting on other accounts: the admin page (`roleProcedure('admin')`) and `npm run user:role`. */
export function adminCapability({ store, record, endAllSessions, now }: AuthContext) {
  return {
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
  };
}
