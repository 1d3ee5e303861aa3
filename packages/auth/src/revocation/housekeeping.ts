import { type Column, lt, or, type SQL, sql } from 'drizzle-orm';

/** Ended sessions are kept this long (for the sessions page's history and for audits), then pruned. */
export const ENDED_SESSION_RETENTION_MS = 30 * 24 * 3600 * 1000;
/**
 * A deleted account's stripped row is kept this long, with its ended sessions (which cascade
 * with it): far longer than an access token lives, so every instance, even one started since,
 * has read those sessions end before they go.
 */
export const DELETED_ACCOUNT_RETENTION_MS = 24 * 3600 * 1000;
/** Rows deleted per statement: small enough that a request waiting on the lock hardly notices. */
export const PRUNE_BATCH_SIZE = 200;

export interface PruneResult {
  sessions: number;
  rateLimits: number;
  /** Mailed tokens expired, and outbox rows sent or given up, longer than the retention ago. */
  mail: number;
  /** Passkey challenges handed out and never answered, once expired. */
  challenges: number;
  /** Sign-ins whose second step never came, once expired. */
  pendingSignIns: number;
  /** Sign-ins sent to a provider that never came back, once expired. */
  oauthRequests: number;
  /** Deleted accounts' stripped rows, and what cascades from them (their ended sessions), after a day. */
  deletedAccounts: number;
}

/** What pruning deletes, a table each (named as in {@link PrunableTables}). */
export type PruneTarget = keyof PrunableTables;

/** The tables pruning deletes from, with the columns it reads, as every engine has them. */
export interface PrunableTables {
  sessions: { id: Column; revokedAt: Column; idleExpiresAt: Column };
  rateLimits: { key: Column; expire: Column };
  emailTokens: { id: Column; expiresAt: Column };
  mailOutbox: { id: Column; sentAt: Column; failedAt: Column };
  webauthnChallenges: { challengeHash: Column; expiresAt: Column };
  pendingSignIns: { handleHash: Column; expiresAt: Column };
  oauthRequests: { stateHash: Column; expiresAt: Column };
  users: { id: Column; deletedAt: Column };
}

/** Which rows of each table are done with at `now`: the key a batch is chosen by, and the condition. */
const doneWith: { [K in PruneTarget]: (t: PrunableTables, now: number) => { key: Column; where: SQL | undefined } } = {
  sessions: ({ sessions: t }, now) => ({
    key: t.id,
    where: or(lt(t.revokedAt, retained(now)), lt(t.idleExpiresAt, retained(now))),
  }),
  rateLimits: ({ rateLimits: t }, now) => ({ key: t.key, where: lt(t.expire, new Date(now)) }),
  emailTokens: ({ emailTokens: t }, now) => ({ key: t.id, where: lt(t.expiresAt, retained(now)) }),
  mailOutbox: ({ mailOutbox: t }, now) => ({
    key: t.id,
    where: or(lt(t.sentAt, retained(now)), lt(t.failedAt, retained(now))),
  }),
  webauthnChallenges: ({ webauthnChallenges: t }, now) => ({ key: t.challengeHash, where: lt(t.expiresAt, now) }),
  pendingSignIns: ({ pendingSignIns: t }, now) => ({ key: t.handleHash, where: lt(t.expiresAt, now) }),
  oauthRequests: ({ oauthRequests: t }, now) => ({ key: t.stateHash, where: lt(t.expiresAt, now) }),
  users: ({ users: t }, now) => ({ key: t.id, where: lt(t.deletedAt, now - DELETED_ACCOUNT_RETENTION_MS) }),
};

/** Rows that ended before this are past the retention. */
const retained = (now: number) => now - ENDED_SESSION_RETENTION_MS;

/**
 * A batch of the rows `target` names at `now`: its table (the engine's own), and the condition
 * that picks at most `limit` of them by their key, a subquery both engines' SQL reads the same.
 * Each engine deletes them its own way (`PruneSteps.deleteBatch`).
 */
export function prunable<T extends PrunableTables, K extends PruneTarget>(
  tables: T,
  target: K,
  now: number,
  limit: number,
): { table: T[K]; where: SQL } {
  const table = tables[target];
  const { key, where = sql`false` } = doneWith[target](tables, now);
  return { table, where: sql`${key} in (select ${key} from ${table} where ${where} limit ${limit})` };
}
