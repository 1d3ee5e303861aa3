import type { AuthEvent } from '../accounts/events';
import type { User } from '../accounts/users';
import type { AuthContext } from './context';

/** The signed-in user's own account as stored, and its security activity. */
export function accountCapability({ store, userById }: AuthContext) {
  return {
    /**
     * The user as stored, for `auth.me`: read at most once a second per process (this process's
     * own changes show at once, another's within the second).
     */
    getUser(userId: string): Promise<User | null> {
      return userById.get(userId);
    },

    /** The user's last security events, newest first. */
    recentActivity(userId: string): Promise<AuthEvent[]> {
      return store.listRecentEvents(userId);
    },
  };
}
