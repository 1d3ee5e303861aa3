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
  two_factor_enabled: 'Two-step verification turned on',
  two_factor_disabled: 'Two-step verification turned off',
  two_factor_reset: 'Two-step verification turned off by an administrator',
  recovery_codes_regenerated: 'New recovery codes made',
  recovery_code_used: 'Recovery code used',
  identity_linked: 'Connected an account at a provider',
  identity_unlinked: 'Disconnected an account at a provider',
};

/** How a sign-in was proved, when it took more than the password. */
const SIGNED_IN_WITH: Partial<Record<NonNullable<ActivityEvent['method']>, string>> = {
  passkey: 'Signed in with a passkey',
  password_totp: 'Signed in with password and authenticator code',
  password_recovery_code: 'Signed in with password and recovery code',
  password_passkey: 'Signed in with password and passkey',
  github: 'Signed in with GitHub',
  google: 'Signed in with Google',
  oidc: 'Signed in with your identity provider',
};

/**
 * One line of the security activity, in words a person reads at a glance.
 *
 * @example
 * describeActivity({ type: 'session_revoked', … }); // 'Signed out another device'
 */
export function describeActivity(event: Pick<ActivityEvent, 'type' | 'method'>): string {
  const signedInWith = event.type === 'signed_in' && event.method ? SIGNED_IN_WITH[event.method] : undefined;
  return signedInWith ?? WHAT_HAPPENED[event.type];
}
