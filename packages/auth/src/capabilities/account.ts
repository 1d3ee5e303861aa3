import type { AuthEvent } from '../accounts/events';
import type { User } from '../accounts/users';
import type { AuthContext } from './context';

/** The most events an export holds (newest first): years of a normal account's activity. */
export const EXPORT_EVENTS_LIMIT = 10_000;

/**
 * What Tessera itself keeps about an account, as its owner takes it away (`auth.account.export`;
 * the server adds each feature's part). Every field is listed by name, never spread from a row,
 * so a secret added to a row later cannot slip in: no password hash, token, key, secret or code.
 */
export interface AccountExport {
  account: {
    id: string;
    email: string;
    name: string | null;
    role: User['role'];
    emailVerified: boolean;
    twoFactorEnabled: boolean;
    hasPassword: boolean;
  };
  /** The live sessions: the devices signed in, and when. */
  sessions: { device: string | null; signedInAt: number; lastActiveAt: number; current: boolean }[];
  /** The security activity, newest first (at most {@link EXPORT_EVENTS_LIMIT} events). */
  activity: { type: AuthEvent['type']; at: number; device: string | null; ip: string | null; method: string | null }[];
  /** The passkeys' names and dates (never their keys). */
  passkeys: { name: string; addedAt: number; lastUsedAt: number | null; synced: boolean }[];
  /** The connected outside accounts (never their tokens, which Tessera does not keep). */
  connectedAccounts: { provider: string; name: string; connectedAt: number; lastUsedAt: number | null }[];
}

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

    /** Everything Tessera keeps about the account, for its owner to take away; null: no such user. */
    async exportAccount(caller: { userId: string; sessionId: string }, now: number): Promise<AccountExport | null> {
      const { userId } = caller;
      const user = await store.findUserById(userId);
      if (!user) return null;
      const [credential, sessions, events, passkeys, identities] = await Promise.all([
        store.findCredential(userId),
        store.listSessions(userId, now),
        store.listRecentEvents(userId, EXPORT_EVENTS_LIMIT),
        store.listPasskeys(userId),
        store.listIdentities(userId),
      ]);
      return {
        account: {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          emailVerified: user.emailVerified,
          twoFactorEnabled: user.twoFactorEnabled,
          hasPassword: (credential?.passwordHash ?? '') !== '',
        },
        sessions: sessions.map((session) => ({
          device: session.userAgent,
          signedInAt: session.createdAt,
          lastActiveAt: session.lastUsedAt,
          current: session.id === caller.sessionId,
        })),
        activity: events.map((event) => ({
          type: event.type,
          at: event.at,
          device: event.userAgent,
          ip: event.ip,
          method: event.method,
        })),
        passkeys: passkeys.map((passkey) => ({
          name: passkey.name,
          addedAt: passkey.createdAt,
          lastUsedAt: passkey.lastUsedAt,
          synced: passkey.deviceType === 'multiDevice',
        })),
        connectedAccounts: identities.map((identity) => ({
          provider: identity.provider,
          name: identity.displayName,
          connectedAt: identity.createdAt,
          lastUsedAt: identity.lastUsedAt,
        })),
      };
    },
  };
}
