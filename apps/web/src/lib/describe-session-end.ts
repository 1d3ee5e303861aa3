import type { SessionEndReason } from '@tessera/auth-client';

const EXPLANATIONS: Record<SessionEndReason, string> = {
  SESSION_REVOKED: 'You were signed out on this device from another device.',
  REFRESH_TOKEN_REUSED: 'For your safety we signed you out: this session was used from somewhere else.',
  SESSION_EXPIRED: 'Your session expired. Please sign in again.',
  SIGNED_OUT: 'You signed out.',
  SIGNED_OUT_EVERYWHERE: 'You signed out on every device.',
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
