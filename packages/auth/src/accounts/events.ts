import { SIGN_IN_METHODS, type SignInMethod } from '@tessera/db';
import type { ClientInfo } from '../sessions/client-info';

/** What can happen to an account's security, as recorded and shown on the sessions page. */
export const AUTH_EVENT_TYPES = [
  'signed_in',
  'signed_out',
  'session_revoked',
  'signed_out_everywhere',
  'password_changed',
  'password_reset',
  'refresh_token_reused',
  'passkey_added',
  'passkey_removed',
  /** The owner proved the password or a passkey again inside a session, for a sensitive change. */
  'reauthenticated',
  'two_factor_enabled',
  'two_factor_disabled',
  /** An admin turned the user's two-step verification off (and ended their sessions). */
  'two_factor_reset',
  'recovery_codes_regenerated',
  /** A recovery code completed a sign-in or a re-authentication (the owner is mailed). */
  'recovery_code_used',
  'identity_linked',
  'identity_unlinked',
  /** A link to a new address was asked for (from a session, after a fresh proof). */
  'email_change_requested',
  /** The new address's link was opened: the account's address is the new one. */
  'email_changed',
  /** The old address's undo link put it back (every session ended). */
  'email_change_undone',
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** One entry of a user's security activity. */
export interface AuthEvent {
  id: string;
  type: AuthEventType;
  /** Epoch ms. */
  at: number;
  /** The device and address of the request that caused it. */
  userAgent: string | null;
  ip: string | null;
  /** The session it is about: the one signed in, signed out, revoked or caught being reused. */
  sessionId: string | null;
  /** How a `signed_in` (or `reauthenticated`) proved it; null for other events (and sign-ins recorded before passkeys). */
  method: SignInMethod | null;
}

export {
  FIRST_FACTORS,
  type FirstFactor,
  SECOND_STEPS,
  type SecondStepKind,
  SIGN_IN_METHODS,
  type SignInMethod,
  withSecondStep,
} from '@tessera/db';

export interface NewAuthEvent {
  userId: string;
  type: AuthEventType;
  sessionId: string | null;
  /** For `session_revoked`: the session that ended the other one. */
  actorSessionId?: string | null;
  /** For `signed_in`. */
  method?: SignInMethod | null;
  client: ClientInfo;
}

/** How many events the activity list shows. */
export const RECENT_EVENTS_LIMIT = 20;

const isAuthEventType = (value: string): value is AuthEventType =>
  (AUTH_EVENT_TYPES as readonly string[]).includes(value);

/** An event's row as `toAuthEvents` reads it. */
export interface AuthEventRecord {
  id: number;
  type: string;
  at: number;
  userAgent: string | null;
  ip: string | null;
  sessionId: string | null;
  method: string | null;
}

/**
 * Event rows as clients see them, on every engine. A type this build does not know (written by
 * a newer one) is left out rather than mislabelled.
 */
export function toAuthEvents(rows: readonly AuthEventRecord[]): AuthEvent[] {
  return rows.flatMap(({ id, type, method, ...rest }) =>
    isAuthEventType(type) ? [{ ...rest, id: String(id), type, method: toSignInMethod(method) }] : [],
  );
}

function toSignInMethod(method: string | null): SignInMethod | null {
  return SIGN_IN_METHODS.find((known) => known === method) ?? null;
}
