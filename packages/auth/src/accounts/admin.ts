import type { Role } from '@tessera/contract';
import { sessions, type TesseraDb, users } from '@tessera/db';
import { and, count, desc, eq, gt, isNull, lt, max, or, sql } from 'drizzle-orm';

/** One account as the admin page lists it. */
export interface UserOverview {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
  /** When any of its sessions was last used, or null if it has none left. */
  lastActiveAt: number | null;
  /** Its live sessions. */
  sessions: number;
}

/** Where a page of users ended: the last user's sign-up time and id. */
export interface UsersCursor {
  createdAt: number;
  id: string;
}

/**
 * Every account, newest first, a page at a time, with its live sessions and last activity.
 *
 * @example
 * const { items, next } = listUsers(db, { limit: 20, after: null }, Date.now());
 */
export function listUsers(
  db: TesseraDb,
  page: { limit: number; after: UsersCursor | null },
  now: number,
): { items: UserOverview[]; next: UsersCursor | null } {
  const live = and(
    eq(sessions.userId, users.id),
    isNull(sessions.revokedAt),
    gt(sessions.idleExpiresAt, now),
    gt(sessions.absoluteExpiresAt, now),
  );
  const after = page.after;
  const rows = db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      createdAt: users.createdAt,
      lastActiveAt: max(sessions.lastUsedAt),
      sessions: count(sessions.id),
    })
    .from(users)
    .leftJoin(sessions, live)
    .where(
      after
        ? or(lt(users.createdAt, after.createdAt), and(eq(users.createdAt, after.createdAt), lt(users.id, after.id)))
        : sql`1 = 1`,
    )
    .groupBy(users.id)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(page.limit + 1)
    .all();
  return usersPage(rows, page.limit);
}

/**
 * A page from up to `limit + 1` rows, on every engine: the extra row only says there is a next
 * page, which starts after the last row shown.
 */
export function usersPage(rows: UserOverview[], limit: number): { items: UserOverview[]; next: UsersCursor | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
