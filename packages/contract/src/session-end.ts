/**
 * Why a session ended, as a `SESSION_REVOKED` refusal says it in `data.sessionEnd` when the server
 * knows: the sign-in page then tells the user what happened instead of a generic "signed out".
 * A closed set; a session ended some other way carries none (`null`).
 *
 * @example
 * if (error.data.sessionEnd === 'ended_by_admin') showSignIn('An administrator ended your sessions.');
 */
export const SESSION_END_CAUSES = [
  /** Signed out on that device. */
  'signed_out',
  /** "Sign out everywhere", on some device of the user's. */
  'signed_out_everywhere',
  /** The user ended this device's session from another one (the Sessions page). */
  'ended_from_another_device',
  /** An administrator ended every session of the account. */
  'ended_by_admin',
  /** An administrator changed the account's role. */
  'role_changed',
  /** The password was changed (on another device). */
  'password_changed',
  /** The password was reset through a mailed link. */
  'password_reset',
  /** An administrator turned the account's two-step verification off. */
  'two_factor_reset',
  /** A refresh token was used twice: the session may have been stolen. */
  'reuse_detected',
  /** The account's address was changed (from another device, or through its link). */
  'email_changed',
  /** The old address's link undid a change of address: every session ended. */
  'email_change_undone',
  /** The account was deleted (by its owner, or an administrator). */
  'account_deleted',
] as const;

export type SessionEndCause = (typeof SESSION_END_CAUSES)[number];

/**
 * Whether `value` is one of {@link SESSION_END_CAUSES}.
 *
 * @example
 * isSessionEndCause('ended_by_admin'); // true
 */
export function isSessionEndCause(value: unknown): value is SessionEndCause {
  return SESSION_END_CAUSES.some((cause) => cause === value);
}
