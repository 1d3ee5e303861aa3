import type { SessionEndReason } from '@tessera/auth-client';

const EXPLANATIONS: Record<SessionEndReason, string> = {
  SESSION_REVOKED: 'You were signed out on this device from another device.',
  REFRESH_TOKEN_REUSED: 'For your safety we signed you out: this session was used from somewhere else.',
  SESSION_EXPIRED: 'Your session expired. Please sign in again.',
  SIGNED_OUT: 'You signed out.',
  SIGNED_OUT_EVERYWHERE: 'You signed out on every device.',
  ENDED_BY_ADMIN: 'An administrator ended your sessions. Sign in again to continue.',
  ROLE_CHANGED: 'Your role was changed, so you were signed out. Sign in again to continue with it.',
  PASSWORD_CHANGED:
    'Your password was changed on another device, so this one was signed out. Sign in with the new password.',
  PASSWORD_RESET: 'Your password was reset, so every device was signed out. Sign in with the new password.',
  TWO_FACTOR_RESET: 'An administrator turned off your two-step verification, so every device was signed out.',
  EMAIL_CHANGED:
    'Your account’s email address was changed, so this device was signed out. Sign in with the new address.',
  EMAIL_CHANGE_UNDONE:
    'A change of your email address was undone from the old address, so every device was signed out. Sign in with that address.',
  ACCOUNT_DELETED: 'Your account was deleted, with everything in it.',
};

/**
 * What the sign-in page says, in one line, about how the last session ended.
 *
 * @example
 * describeSessionEnd('SESSION_REVOKED'); // 'You were signed out on this device from another device.'
 */
export function describeSessionEnd(reason: SessionEndReason): string {
  return EXPLANATIONS[reason];
}
