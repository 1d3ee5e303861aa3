import type { RouterOutputs } from '@tessera/server';

export type ActivityEvent = RouterOutputs['auth']['activity']['list'][number];

const WHAT_HAPPENED: Record<ActivityEvent['type'], string> = {
  signed_in: 'Signed in',
  signed_out: 'Signed out',
  session_revoked: 'Signed out another device',
  signed_out_everywhere: 'Signed out everywhere',
  password_changed: 'Password changed',
  password_reset: 'Password reset from an emailed link',
  refresh_token_reused: 'Session ended: it was used from somewhere else',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  reauthenticated: 'Confirmed it was you',
};

/**
 * One line of the security activity, in words a person reads at a glance.
 *
 * @example
 * describeActivity({ type: 'session_revoked', … }); // 'Signed out another device'
 */
export function describeActivity(event: Pick<ActivityEvent, 'type' | 'method'>): string {
  if (event.type === 'signed_in' && event.method === 'passkey') return 'Signed in with a passkey';
  return WHAT_HAPPENED[event.type];
}
