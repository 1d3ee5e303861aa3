import { authEvents, type TesseraDb } from '@tessera/db';
import { desc, eq } from 'drizzle-orm';
import { type ClientInfo, storedUserAgent } from '../sessions/client-info';

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

/** What a sign-in proved: the password, or a passkey. */
export type SignInMethod = 'password' | 'passkey';

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

/**
 * Appends an event to the user's security activity. Events are never updated.
 *
 * @example
 * recordEvent(db, { userId, type: 'signed_in', sessionId, client }, Date.now());
 */
export function recordEvent(db: TesseraDb, event: NewAuthEvent, now: number): void {
  db.insert(authEvents)
    .values({
      userId: event.userId,
      type: event.type,
      at: now,
      userAgent: storedUserAgent(event.client.userAgent),
      ip: event.client.ip,
      sessionId: event.sessionId,
      actorSessionId: event.actorSessionId ?? null,
      method: event.method ?? null,
    })
    .run();
}

/**
 * The user's latest events, newest first.
 *
 * @example
 * const recent = listRecentEvents(db, ctx.user.id);
 */
export function listRecentEvents(db: TesseraDb, userId: string, limit = RECENT_EVENTS_LIMIT): AuthEvent[] {
  const rows = db
    .select({
      id: authEvents.id,
      type: authEvents.type,
      at: authEvents.at,
      userAgent: authEvents.userAgent,
      ip: authEvents.ip,
      sessionId: authEvents.sessionId,
      method: authEvents.method,
    })
    .from(authEvents)
    .where(eq(authEvents.userId, userId))
    .orderBy(desc(authEvents.id))
    .limit(limit)
    .all();
  return toAuthEvents(rows);
}

/**
 * Event rows as clients see them, on every engine. A type this build does not know (written by
 * a newer one) is left out rather than mislabelled.
 */
export function toAuthEvents(
  rows: readonly {
    id: number;
    type: string;
    at: number;
    userAgent: string | null;
    ip: string | null;
    sessionId: string | null;
    method: string | null;
  }[],
): AuthEvent[] {
  return rows.flatMap(({ id, type, method, ...rest }) =>
    isAuthEventType(type) ? [{ ...rest, id: String(id), type, method: toSignInMethod(method) }] : [],
  );
}

function toSignInMethod(method: string | null): SignInMethod | null {
  return method === 'password' || method === 'passkey' ? method : null;
}
