import type { Role } from '@tessera/contract';

/** One account as the admin page lists it. */
export interface UserOverview {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
  /** When it was last active: a session's last use or its latest activity; null if never. */
  lastActiveAt: number | null;
  /** Its live sessions. */
  sessions: number;
  /** Whether it has two-step verification. */
  twoFactorEnabled: boolean;
}

/** An account as the admin list's statement reads it. */
export type UserOverviewRow = Omit<UserOverview, 'twoFactorEnabled' | 'lastActiveAt'> & {
  totpEnabledAt: number | null;
  /** The last use of any of its sessions, ended ones too. */
  lastSessionUse: number | null;
  /** Its latest activity record. */
  lastEventAt: number | null;
};

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
  const items = rows.slice(0, limit).map(({ totpEnabledAt, lastSessionUse, lastEventAt, ...row }) => ({
    ...row,
    lastActiveAt: latest(lastSessionUse, lastEventAt),
    twoFactorEnabled: totpEnabledAt !== null,
  }));
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

const latest = (...times: (number | null)[]): number | null => {
  const known = times.filter((time): time is number => time !== null);
  return known.length === 0 ? null : Math.max(...known);
};
