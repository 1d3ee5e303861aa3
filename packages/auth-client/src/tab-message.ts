import { ROLES } from '@tessera/contract';
import { type SessionEndReason, sessionEndReason } from './errors';
import type { Session } from './types';

/**
 * What one tab tells the app's other tabs (same origin only: BroadcastChannel never crosses
 * origins). The session rides along so the others need no request of their own; like the
 * token store, the channel keeps it in memory and never writes it to storage.
 *
 * - `signed-in`: a sign-in or sign-up here. Every tab adopts it, even one showing the sign-in
 *   page: the refresh cookie they share now belongs to this session.
 * - `refreshed`: a refresh here, received at `obtainedAt` (ms, this browser's clock, which every
 *   tab shares). Tabs that are signed in or still restoring adopt it unless they hold a newer one;
 *   a signed-out tab ignores it, so a refresh that was already on the wire cannot undo a sign-out.
 * - `signed-out`: the session `sessionId` ended here (sign-out, or the server refused it). Every
 *   tab holding that session forgets it; a tab that already holds a newer one (a sign-in that
 *   crossed this message) keeps it. `sessionId` null ends whatever session a tab holds.
 *   `reason` says why, when the user should be told (revoked elsewhere, reuse detected).
 *
 * @example
 * tabs.publish({ type: 'refreshed', session });
 */
export type TabMessage =
  | { readonly type: 'signed-in'; readonly session: Session }
  | { readonly type: 'refreshed'; readonly session: Session; readonly obtainedAt: number }
  | { readonly type: 'signed-out'; readonly sessionId: string | null; readonly reason: SessionEndReason | null };

/**
 * Checks a message received from another tab. A tab still running an older build after a deploy
 * may post another shape, so anything unexpected is dropped rather than trusted.
 *
 * @example
 * channel.onmessage = (event) => {
 *   const message = parseTabMessage(event.data);
 *   if (message) handle(message);
 * };
 */
export function parseTabMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null || !('type' in data)) return null;
  if (data.type === 'signed-out') {
    const sessionId = 'sessionId' in data && typeof data.sessionId === 'string' ? data.sessionId : null;
    const reason = 'reason' in data ? sessionEndReason(data.reason) : null;
    return { type: 'signed-out', sessionId, reason };
  }
  if (data.type !== 'signed-in' && data.type !== 'refreshed') return null;
  if (!('session' in data) || !isSession(data.session)) return null;
  const { accessToken, expiresAt, user } = data.session;
  // Copy the known fields only, so nothing unexpected reaches the store.
  const session = {
    accessToken,
    expiresAt,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      emailVerified: user.emailVerified,
      twoFactorEnabled: user.twoFactorEnabled,
    },
  };
  if (data.type === 'signed-in') return { type: 'signed-in', session };
  // A tab of an older build says no time: its refresh counts as older than any that does.
  const obtainedAt =
    'obtainedAt' in data && typeof data.obtainedAt === 'number' && Number.isFinite(data.obtainedAt)
      ? data.obtainedAt
      : 0;
  return { type: 'refreshed', session, obtainedAt };
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  if (!('accessToken' in value) || typeof value.accessToken !== 'string' || value.accessToken === '') return false;
  if (!('expiresAt' in value) || typeof value.expiresAt !== 'number' || !Number.isFinite(value.expiresAt)) return false;
  if (!('user' in value) || typeof value.user !== 'object' || value.user === null) return false;
  const user = value.user;
  return (
    'id' in user &&
    typeof user.id === 'string' &&
    'email' in user &&
    typeof user.email === 'string' &&
    'name' in user &&
    (typeof user.name === 'string' || user.name === null) &&
    'role' in user &&
    ROLES.some((role) => role === user.role) &&
    'emailVerified' in user &&
    typeof user.emailVerified === 'boolean' &&
    'twoFactorEnabled' in user &&
    typeof user.twoFactorEnabled === 'boolean'
  );
}
