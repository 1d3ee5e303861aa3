import type { DatabaseHealth } from '@tessera/db';
import type { MailOutbox, QueuedMail } from '@tessera/mail';
import { and, asc, type Column, gt, isNotNull, isNull, lt, lte, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { NewEmailTokenFor } from '../mailed-links/email-tokens';
import type { RevocationReader } from '../revocation/revocation-feed';
import { type KeyState, keysVersion } from '../tokens/signing-key-rules';
import type { Engine } from './engine';
import type { Step } from './step';

/**
 * The database work a server runs on timers rather than for a request: reading the sessions
 * other processes revoked (and whether they changed the signing keys), clearing refresh
 * successors whose grace window has passed, and the mail outbox the sender works through. Also
 * the one piece of a request's work whose cost must not show in the server's timing: the
 * password-reset link.
 */
export interface BackgroundDb extends RevocationReader, MailOutbox {
  /** Every engine's: the default (polling) feed learns of other processes' rotations from it. */
  signingKeysVersion(): Promise<string>;
  /** Clears sealed successors of tokens replaced before `before` (epoch ms); resolves to how many. */
  expireGraceSuccessors(before: number): Promise<number>;
  /**
   * Issues a mailed token to whoever has the address, if anyone (see `issueEmailTokenFor`);
   * resolves to whether someone had it. A reset request ends here after its answer: on a SQLite
   * file the lookup and the writes run in the worker, so the time a known address costs the
   * event loop is the same as an unknown one's (issue 20, finding 8).
   */
  issueEmailTokenFor(token: NewEmailTokenFor, now: number): Promise<boolean>;
  /** Whether the database would take a write now, proven without writing: what `/healthz` asks. */
  writeHealth(): Promise<DatabaseHealth>;
}

/**
 * The single statements of the background's rules ({@link backgroundOperations}), each engine
 * its own: `engines/sqlite/background.ts` (in this thread, or in the worker), and
 * `engines/postgres/background.ts`. None runs in a transaction.
 */
export interface BackgroundSteps {
  /** Sessions revoked after `after`, oldest first (`revokedAt` is never null here, whatever the column says). */
  revokedAfter(after: number): Step<Array<{ sessionId: string; revokedAt: number | null }>>;
  /** Every signing key, in kid order. */
  signingKeyStates(): Step<KeyState[]>;
  /** Clears the successors of tokens replaced before `before`; how many it cleared. */
  expireGraceSuccessors(before: number): Step<number>;
  /** A message due at `now`, if any: zero rows or one. */
  anyMailDue(now: number): Step<unknown[]>;
  /**
   * Claims up to `limit` due messages (oldest due first) until `leaseUntil`, counting the attempt,
   * in one statement; PostgreSQL skips rows another sender holds (`SKIP LOCKED`).
   */
  claimDueMail(now: number, leaseUntil: number, limit: number): Step<QueuedMail[]>;
  markMailSent(id: string, now: number): Step<unknown>;
  retryMailAt(id: string, at: number, error: string): Step<unknown>;
  markMailFailed(id: string, now: number, error: string): Step<unknown>;
}

/** The background's methods written once; each engine adds `writeHealth`, `issueEmailTokenFor` and `close`. */
export type BackgroundOperations = Omit<BackgroundDb, 'writeHealth' | 'issueEmailTokenFor' | 'close'>;

/**
 * The background's rules over an engine's {@link BackgroundSteps}.
 *
 * @example
 * const background = { ...backgroundOperations(engine), writeHealth, issueEmailTokenFor, close };
 */
export function backgroundOperations(engine: Engine<BackgroundSteps>): BackgroundOperations {
  return {
    revokedAfter: (after) => engine.read((steps) => revokedAfter(steps, after)),
    signingKeysVersion: () => engine.read(signingKeysVersion),
    expireGraceSuccessors: (before) => engine.read((steps) => steps.expireGraceSuccessors(before)),
    claimDueMail: (now, leaseUntil, limit) => engine.read((steps) => claimDueMail(steps, now, leaseUntil, limit)),
    markMailSent: async (id, now) => {
      await engine.read((steps) => steps.markMailSent(id, now));
    },
    retryMailAt: async (id, at, error) => {
      await engine.read((steps) => steps.retryMailAt(id, at, error));
    },
    markMailFailed: async (id, now, error) => {
      await engine.read((steps) => steps.markMailFailed(id, now, error));
    },
  };
}

function* revokedAfter(steps: BackgroundSteps, after: number) {
  const rows = yield* steps.revokedAfter(after);
  return rows.flatMap(({ sessionId, revokedAt }) => (revokedAt === null ? [] : [{ sessionId, revokedAt }]));
}

function* signingKeysVersion(steps: BackgroundSteps): Step<string> {
  return keysVersion(yield* steps.signingKeyStates());
}

/** See `MailOutbox.claimDueMail` (@tessera/mail). */
function* claimDueMail(steps: BackgroundSteps, now: number, leaseUntil: number, limit: number): Step<QueuedMail[]> {
  // A read first: most seconds nothing is due, and a read takes no write lock.
  if ((yield* steps.anyMailDue(now)).length === 0) return [];
  const claimed = yield* steps.claimDueMail(now, leaseUntil, limit);
  // The claim counted this attempt: the sender is told of those before it.
  return claimed.map((mail) => ({ ...mail, attempts: mail.attempts - 1 }));
}

/*
 * The fragments both engines' statements are built from. A value is a number or a string, or a
 * placeholder where SQLite prepares the statement once (`sql.placeholder`).
 */
type Value<T> = T | SQLWrapper;

/** Sessions' revocations, as the feed reads them. */
export const revocations = {
  fields: <T extends { id: Column; revokedAt: Column }>(t: T): { sessionId: T['id']; revokedAt: T['revokedAt'] } => ({
    sessionId: t.id,
    revokedAt: t.revokedAt,
  }),
  since: (t: { revokedAt: Column }, after: Value<number>): SQL => gt(t.revokedAt, after),
  oldestFirst: (t: { revokedAt: Column }): SQL => asc(t.revokedAt),
};

/** Refresh tokens whose successor is still kept, replaced before `before`: their grace window has passed. */
export const graceEnded = (t: { successorSealed: Column; replacedAt: Column }, before: Value<number>) =>
  and(isNotNull(t.successorSealed), lt(t.replacedAt, before));

interface MailColumns {
  id: Column;
  recipient: Column;
  sealedMessage: Column;
  createdAt: Column;
  nextAttemptAt: Column;
  attempts: Column;
  sentAt: Column;
  failedAt: Column;
}

/** The mail outbox's conditions and changes. */
export const outbox = {
  /** Unsent, not given up, and its (next) attempt has come. */
  due: (t: MailColumns, now: Value<number>) => and(isNull(t.sentAt), isNull(t.failedAt), lte(t.nextAttemptAt, now)),
  dueFirst: (t: MailColumns): SQL => asc(t.nextAttemptAt),
  fields: <T extends MailColumns>(t: T): Pick<T, keyof QueuedMail> => ({
    id: t.id,
    recipient: t.recipient,
    sealedMessage: t.sealedMessage,
    createdAt: t.createdAt,
    attempts: t.attempts,
  }),
  /** Claimed until `leaseUntil`, an attempt counted. */
  leased: (t: MailColumns, leaseUntil: number | SQL) => ({
    nextAttemptAt: leaseUntil,
    attempts: sql<number>`${t.attempts} + 1`,
  }),
  /** Sent: the message (and the link in it) is erased; the row stays as a record. */
  sent: <V>(now: V) => ({ sentAt: now, sealedMessage: '', lastError: null }),
  retrying: <V, E>(at: V, error: E) => ({ nextAttemptAt: at, lastError: error }),
  /** Given up: the message is erased too. */
  failed: <V, E>(now: V, error: E) => ({ failedAt: now, sealedMessage: '', lastError: error }),
};
