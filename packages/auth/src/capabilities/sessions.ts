import { AuthError } from '../errors';
import type { ClientInfo } from '../sessions/client-info';
import type { SessionSummary } from '../sessions/sessions';
import type { AuthContext, Caller } from './context';

/** The caller's sessions: signing out here or everywhere, listing them, ending one. */
export function sessionsCapability({ store, record, forget, endAllSessions, now }: AuthContext) {
  return {
    /** Ends the session the access token belongs to. */
    async logout(caller: Caller, client: ClientInfo): Promise<void> {
      const at = now();
      const ended = await store.revokeSession(
        { sessionId: caller.sessionId, userId: caller.userId, reason: 'logout' },
        at,
      );
      if (!ended) return;
      forget([caller.sessionId], at, 'logout');
      await record({ userId: caller.userId, type: 'signed_out', sessionId: caller.sessionId, client });
    },

    /** Ends every session of the user, the caller's included (the security stamp moves on: see `endAllSessions`). */
    async logoutAll(caller: Caller, client: ClientInfo): Promise<void> {
      await endAllSessions({ userId: caller.userId, reason: 'logout_all' });
      await record({ userId: caller.userId, type: 'signed_out_everywhere', sessionId: caller.sessionId, client });
    },

    /** The user's live sessions, most recently used first. */
    listSessions(userId: string): Promise<SessionSummary[]> {
      return store.listSessions(userId, now());
    },

    /** Ends one of the caller's sessions. Throws `SESSION_NOT_FOUND` if it is not theirs or not live. */
    async revokeSession(caller: Caller, sessionId: string, client: ClientInfo): Promise<void> {
      const at = now();
      if (!(await store.revokeSession({ sessionId, userId: caller.userId, reason: 'revoked' }, at))) {
        throw new AuthError('SESSION_NOT_FOUND');
      }
      forget([sessionId], at, 'revoked');
      await record({
        userId: caller.userId,
        type: 'session_revoked',
        sessionId,
        actorSessionId: caller.sessionId,
        client,
      });
    },
  };
}
