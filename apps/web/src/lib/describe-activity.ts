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
  email_change_requested: 'Asked to change the email address',
  email_changed: 'Email address changed',
  email_change_undone: 'Email address change undone from the old address',
};

type SignInMethod = NonNullable<ActivityEvent['method']>;

/** What proved the first factor, and what a second step added, in words. */
const FIRST_FACTOR: Record<string, string> = {
  password: 'password',
  github: 'GitHub',
  google: 'Google',
  oidc: 'your identity provider',
};
const SECOND_STEP: Record<string, string> = {
  totp: 'authenticator code',
  recovery_code: 'recovery code',
  passkey: 'passkey',
};

/** How a sign-in was proved, when it took more than the password ("Signed in with GitHub and passkey"). */
function signedInWith(method: SignInMethod): string | undefined {
  if (method === 'passkey') return 'Signed in with a passkey';
  if (method === 'password') return undefined;
  const first = Object.keys(FIRST_FACTOR).find((factor) => method === factor || method.startsWith(`${factor}_`));
  if (first === undefined) return undefined;
  const second = SECOND_STEP[method.slice(first.length + 1)];
  return `Signed in with ${FIRST_FACTOR[first]}${second ? ` and ${second}` : ''}`;
}

/**
 * One line of the security activity, in words a person reads at a glance.
 *
 * @example
 * describeActivity({ type: 'session_revoked', … }); // 'Signed out another device'
 */
export function describeActivity(event: Pick<ActivityEvent, 'type' | 'method'>): string {
  const how = event.type === 'signed_in' && event.method ? signedInWith(event.method) : undefined;
  return how ?? WHAT_HAPPENED[event.type];
}
