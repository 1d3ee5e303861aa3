import type { Step } from '../store/step';
import type { ChallengeRecord, ChallengeRow, PasskeyRecord, PasskeyRow } from './passkeys';

/**
 * The single statements the passkey rules (operations.ts) are written over;
 * `engines/sqlite/passkeys.ts` and `engines/postgres/passkeys.ts` supply them.
 */
export interface PasskeySteps {
  /**
   * The user's row, locked for the rest of the transaction (PostgreSQL: `FOR UPDATE`; SQLite:
   * the IMMEDIATE transaction holds the lock already). A credential change locks it too, so it
   * and a passkey insert or removal queue: one that ends the adding session wins.
   */
  lockUser(userId: string): Step<{ passwordHash: string } | undefined>;
  /** The user's session, if it is live at `now`. */
  liveSession(session: { sessionId: string; userId: string }, now: number): Step<{ id: string } | undefined>;
  countPasskeys(userId: string): Step<number>;
  /** Inserts the passkey unless its credential id (or id) is taken: how many rows it inserted. */
  insertPasskey(row: PasskeyRow): Step<number>;
  /** The passkey, if it is the user's. */
  ownPasskey(passkey: { id: string; userId: string }): Step<{ id: string } | undefined>;
  deletePasskey(passkey: { id: string; userId: string }): Step<void>;
  /** The user's passkeys, oldest first. */
  passkeysOf(userId: string): Step<PasskeyRecord[]>;
  passkeyByCredentialId(credentialId: string): Step<PasskeyRecord | undefined>;
  /** Sets counter and last use only if the counter moves forward (`counterMovesForward`): rows changed. */
  advanceCounter(use: { id: string; counter: number }, now: number): Step<number>;
  insertChallenge(row: ChallengeRow): Step<void>;
  /** Deletes the challenge and returns it: of two takers, one gets the row. */
  takeChallenge(challengeHash: string): Step<ChallengeRecord | undefined>;
}
