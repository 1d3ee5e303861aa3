import type { SessionEndCause } from '@tessera/contract';

/** Each `sessions.revoked_reason` the core writes, as the client is told it. */
const CAUSES: Readonly<Record<string, SessionEndCause>> = {
  logout: 'signed_out',
  logout_all: 'signed_out_everywhere',
  revoked: 'ended_from_another_device',
  revoked_by_admin: 'ended_by_admin',
  role_changed: 'role_changed',
  password_changed: 'password_changed',
  password_reset: 'password_reset',
  two_factor_reset: 'two_factor_reset',
  reuse_detected: 'reuse_detected',
  email_changed: 'email_changed',
  email_change_undone: 'email_change_undone',
  account_deleted: 'account_deleted',
};

/**
 * Why a session ended, for the client (`data.sessionEnd`), from the reason recorded on its row;
 * null for one the client has nothing particular to say about (or none recorded).
 *
 * @example
 * sessionEndCause('revoked_by_admin'); // 'ended_by_admin'
 */
export function sessionEndCause(revokedReason: string | null | undefined): SessionEndCause | null {
  if (typeof revokedReason !== 'string' || !Object.hasOwn(CAUSES, revokedReason)) return null;
  return CAUSES[revokedReason] ?? null;
}
