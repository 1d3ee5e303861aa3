import type { Role } from '@tessera/contract';

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
  /** Whether it has two-step verification. */
  twoFactorEnabled: boolean;
}

/** An account as the admin list's statement reads it. */
export type UserOverviewRow = Omit<UserOverview, 'twoFactorEnabled'> & { totpEnabledAt: number | null };

/** Where a page of users ended: the last user's sign-up time and id. */
export interface UsersCursor {
  createdAt: number;
  id: string;
}

/**
 * A page from up to `limit + 1` rows, on every engine: the extra row only says there is a next
 * page, which starts after the last row shown.
 */
export function usersPage(rows: UserOverviewRow[], limit: number): { items: UserOverview[]; next: UsersCursor | null } {
  const items = rows
    .slice(0, limit)
    .map(({ totpEnabledAt, ...row }) => ({ ...row, twoFactorEnabled: totpEnabledAt !== null }));
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
