import { and, type Column, count, desc, eq, gt, isNull, lt, max, or, type SQL } from 'drizzle-orm';
import { storedUserAgent } from '../sessions/client-info';
import type { UsersCursor } from './admin';
import type { NewAuthEvent } from './events';

/**
 * The pieces of the account statements that are the same on every engine, written once as
 * functions of the columns: each engine passes its own tables (`users`, `sessions`,
 * `auth_events`). A selection keeps the engine's column types (`Pick<T, …>`), so each engine's
 * query still knows what it returns.
 */
type Has<K extends string> = Record<K, Column>;

type UserKey = 'id' | 'email' | 'name' | 'role' | 'emailVerifiedAt';
/** The columns a client may see, as `toUser` reads them. */
export function userColumnsOf<T extends Has<UserKey>>(t: T): Pick<T, UserKey> {
  return { id: t.id, email: t.email, name: t.name, role: t.role, emailVerifiedAt: t.emailVerifiedAt };
}

type CredentialKey = 'passwordHash' | 'credentialVersion';
/** The password hash and the security stamp read with it. */
export function credentialColumns<T extends Has<CredentialKey>>(t: T): Pick<T, CredentialKey> {
  return { passwordHash: t.passwordHash, credentialVersion: t.credentialVersion };
}

/**
 * A session that has not ended at `now`: not revoked, neither idle nor absolute expiry passed.
 * (The sessions domain's rule of a live session, needed here for the admin list and the passkey
 * insert: one definition to keep in step with `sessions/`.)
 */
export function sessionIsLive(
  t: Has<'revokedAt' | 'idleExpiresAt' | 'absoluteExpiresAt'>,
  now: number,
): SQL | undefined {
  return and(isNull(t.revokedAt), gt(t.idleExpiresAt, now), gt(t.absoluteExpiresAt, now));
}

type OverviewKey = 'id' | 'email' | 'role' | 'createdAt';
/** The admin list's columns: an account with its live sessions (left-joined) counted. */
export function overviewColumns<U extends Has<OverviewKey>, S extends Has<'id' | 'lastUsedAt'>>(u: U, s: S) {
  const account: Pick<U, OverviewKey> = { id: u.id, email: u.email, role: u.role, createdAt: u.createdAt };
  const lastUsedAt: S['lastUsedAt'] = s.lastUsedAt;
  return { ...account, lastActiveAt: max(lastUsedAt), sessions: count(s.id) };
}

/** The user's session `sessionId`, if it is live: what a passkey insert checks. */
export function liveSessionOf(
  t: Has<'id' | 'userId' | 'revokedAt' | 'idleExpiresAt' | 'absoluteExpiresAt'>,
  session: { sessionId: string; userId: string },
  now: number,
): SQL | undefined {
  return and(eq(t.id, session.sessionId), eq(t.userId, session.userId), sessionIsLive(t, now));
}

/** The user's sessions that are live: the admin list's join. */
type SessionKey = 'userId' | 'revokedAt' | 'idleExpiresAt' | 'absoluteExpiresAt';
export function liveSessionsOf(s: Has<SessionKey>, userId: Column, now: number): SQL | undefined {
  return and(eq(s.userId, userId), sessionIsLive(s, now));
}

/** Keyset paging, newest first: the accounts after `after` (none: every account). */
export function usersAfter(u: Has<'createdAt' | 'id'>, after: UsersCursor | null): SQL | undefined {
  if (after === null) return undefined;
  return or(lt(u.createdAt, after.createdAt), and(eq(u.createdAt, after.createdAt), lt(u.id, after.id)));
}

/** The admin list's order: newest first, the id breaking ties (the keyset of {@link usersAfter}). */
export function newestUsersFirst(u: Has<'createdAt' | 'id'>): SQL[] {
  return [desc(u.createdAt), desc(u.id)];
}

/**
 * A page of the admin list, all but the builder chain: its columns, the live sessions joined,
 * where the page starts, and the order (each engine: select, from, left join, where, group by
 * the user's id, order, limit).
 */
export function usersPageParts<U extends Has<OverviewKey>, S extends Has<'id' | 'lastUsedAt' | SessionKey>>(
  u: U,
  s: S,
  after: UsersCursor | null,
  now: number,
) {
  return {
    columns: overviewColumns(u, s),
    live: liveSessionsOf(s, u.id, now),
    keyset: usersAfter(u, after),
    order: newestUsersFirst(u),
  };
}

/** A new user's row. */
export function newUserRow(
  user: { id: string; email: string; name: string | null },
  passwordHash: string,
  now: number,
) {
  return { id: user.id, email: user.email, name: user.name, passwordHash, createdAt: now };
}
export type NewUserRow = ReturnType<typeof newUserRow>;

/** An event's row. */
export function eventRow(event: NewAuthEvent, now: number) {
  return {
    userId: event.userId,
    type: event.type,
    at: now,
    userAgent: storedUserAgent(event.client.userAgent),
    ip: event.client.ip,
    sessionId: event.sessionId,
    actorSessionId: event.actorSessionId ?? null,
    method: event.method ?? null,
  };
}
export type AuthEventRow = ReturnType<typeof eventRow>;

type EventKey = 'id' | 'type' | 'at' | 'userAgent' | 'ip' | 'sessionId' | 'method';
/** The columns of an event as `toAuthEvents` reads them. */
export function eventColumns<T extends Has<EventKey>>(t: T): Pick<T, EventKey> {
  return {
    id: t.id,
    type: t.type,
    at: t.at,
    userAgent: t.userAgent,
    ip: t.ip,
    sessionId: t.sessionId,
    method: t.method,
  };
}
