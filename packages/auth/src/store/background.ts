import type { DatabaseHealth } from '@tessera/db';
import type { MailOutbox } from '@tessera/mail';
import { asc, type Column, gt, type SQL, type SQLWrapper } from 'drizzle-orm';
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
 * The single statements of the background's own rules ({@link backgroundOperations}), each
 * engine its own: `engines/sqlite/background.ts` (in this thread, or in the worker), and
 * `engines/postgres/background.ts`. None runs in a transaction. The mail outbox and the reset
 * link are the mailed links' (`mailOutboxOperations`, mailed-links/outbox.ts).
 */
export interface BackgroundSteps {
  /** Sessions revoked after `after`, oldest first (`revokedAt` is never null here, whatever the column says). */
  revokedAfter(after: number): Step<Array<{ sessionId: string; revokedAt: number | null; reason: string | null }>>;
  /** Every signing key, in kid order. */
  signingKeyStates(): Step<KeyState[]>;
  /** Clears the successors of tokens replaced before `before`; how many it cleared. */
  expireGraceSuccessors(before: number): Step<number>;
}

/** The background's own methods; each engine adds the mail outbox's (`mailOutboxOperations`), `writeHealth` and `close`. */
export type BackgroundOperations = Pick<BackgroundDb, 'revokedAfter' | 'signingKeysVersion' | 'expireGraceSuccessors'>;

/**
 * The background's rules over an engine's {@link BackgroundSteps}.
 *
 * @example
 * const background = { ...backgroundOperations(engine), ...mailOutboxOperations(mailEngine), writeHealth, close };
 */
export function backgroundOperations(engine: Engine<BackgroundSteps>): BackgroundOperations {
  return {
    revokedAfter: (after) => engine.read((steps) => revokedAfter(steps, after)),
    signingKeysVersion: () => engine.read(signingKeysVersion),
    expireGraceSuccessors: (before) => engine.read((steps) => steps.expireGraceSuccessors(before)),
  };
}

function* revokedAfter(steps: BackgroundSteps, after: number) {
  const rows = yield* steps.revokedAfter(after);
  return rows.flatMap(({ sessionId, revokedAt, reason }) =>
    revokedAt === null ? [] : [{ sessionId, revokedAt, reason }],
  );
}

function* signingKeysVersion(steps: BackgroundSteps): Step<string> {
  return keysVersion(yield* steps.signingKeyStates());
}

/*
 * The fragments both engines' statements are built from. A value is a number or a string, or a
 * placeholder where SQLite prepares the statement once (`sql.placeholder`).
 */
type Value<T> = T | SQLWrapper;

/** Sessions' revocations, as the feed reads them. */
export const revocations = {
  fields: <T extends { id: Column; revokedAt: Column; revokedReason: Column }>(
    t: T,
  ): { sessionId: T['id']; revokedAt: T['revokedAt']; reason: T['revokedReason'] } => ({
    sessionId: t.id,
    revokedAt: t.revokedAt,
    reason: t.revokedReason,
  }),
  since: (t: { revokedAt: Column }, after: Value<number>): SQL => gt(t.revokedAt, after),
  oldestFirst: (t: { revokedAt: Column }): SQL => asc(t.revokedAt),
};
