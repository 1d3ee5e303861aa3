import { and, type Column, count, desc, eq, isNull, lt, or, type SQL, sql, type Table } from 'drizzle-orm';
import { storedUserAgent } from '../sessions/client-info';
import { liveSessionsOf, type SessionColumns } from '../sessions/fragments';
import type { UsersCursor } from './admin';
import type { NewAuthEvent } from './events';

/**
 * The pieces of the account statements that are the same on every engine, written once as
 * functions of the columns: each engine passes its own tables (`users`, `sessions`,
 * `auth_events`). A selection keeps the engine's column types (`Pick<T, …>`), so each engine's
 * query still knows what it returns.
 */
type Has<K extends string> = Record<K, Column>;

type CredentialKey = 'passwordHash' | 'credentialVersion';
/** The password hash and the security stamp read with it. */
export function credentialColumns<T extends Has<CredentialKey>>(t: T): Pick<T, CredentialKey> {
  return { passwordHash: t.passwordHash, credentialVersion: t.credentialVersion };
}

type OverviewKey = 'id' | 'email' | 'role' | 'createdAt' | 'totpEnabledAt';
/** A table with its columns, for a subquery over it. */
type TableWith<K extends string> = Table & Record<K, Column>;

/**
 * The admin list's columns: an account, its live sessions (left-joined) counted, and when it was
 * last active: the last use of any of its sessions, ended ones too, and its latest activity (a
 * sign-in, a password change…), each a subquery, so "0 sessions" still says when it was last seen.
 */
function overviewColumns<U extends Has<OverviewKey>, S extends TableWith<'id' | 'userId' | 'lastUsedAt'>>(
  u: U,
  s: S,
  events: TableWith<'userId' | 'at'>,
) {
  const account: Pick<U, OverviewKey> = {
    id: u.id,
    email: u.email,
    role: u.role,
    createdAt: u.createdAt,
    totpEnabledAt: u.totpEnabledAt,
  };
  const lastSessionUse = sql<number | null>`(select max(${s.lastUsedAt}) from ${s} where ${s.userId} = ${u.id})`;
  const lastEventAt = sql<number | null>`(select max(${events.at}) from ${events} where ${events.userId} = ${u.id})`;
  return {
    ...account,
    lastSessionUse: lastSessionUse.mapWith(Number),
    lastEventAt: lastEventAt.mapWith(Number),
    sessions: count(s.id),
  };
}

/** Keyset paging, newest first: the accounts after `after` (none: every account), deleted ones left out. */
function usersAfter(u: Has<'createdAt' | 'id' | 'deletedAt'>, after: UsersCursor | null): SQL | undefined {
  const live = isNull(u.deletedAt);
  if (after === null) return live;
  return and(live, or(lt(u.createdAt, after.createdAt), and(eq(u.createdAt, after.createdAt), lt(u.id, after.id))));
}

/** The admin list's order: newest first, the id breaking ties (the keyset of {@link usersAfter}). */
function newestUsersFirst(u: Has<'createdAt' | 'id'>): SQL[] {
  return [desc(u.createdAt), desc(u.id)];
}

/**
 * A page of the admin list, all but the builder chain: its columns, the live sessions joined,
 * where the page starts, and the order (each engine: select, from, left join, where, group by
 * the user's id, order, limit).
 */
export function usersPageParts<U extends Has<OverviewKey | 'deletedAt'>, S extends SessionColumns & Table>(
  u: U,
  s: S,
  events: TableWith<'userId' | 'at'>,
  after: UsersCursor | null,
  now: number,
) {
  return {
    columns: overviewColumns(u, s, events),
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
