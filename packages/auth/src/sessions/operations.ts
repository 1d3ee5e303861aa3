import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import { rotateRefreshToken } from './rotation';
import type { SessionStatus } from './sessions';
import { endAllSessions, recordProof, startSession } from './stamp';
import type { SessionSteps } from './steps';

/** The store's session methods. */
export type SessionOperations = Pick<
  AuthStore,
  | 'startSession'
  | 'rotateRefreshToken'
  | 'revokeSession'
  | 'endAllSessions'
  | 'listSessions'
  | 'recordProof'
  | 'sessionStatus'
>;

/**
 * The store's session methods on any engine: the rules (rotation.ts, stamp.ts) each in one write
 * transaction (the rotation an optimistic one), the single statements outside any.
 *
 * @example
 * const store = { ...sessionOperations(sqliteEngine(db, sqliteSessionSteps(db))), ... };
 */
export function sessionOperations(engine: Engine<SessionSteps>): SessionOperations {
  return {
    startSession: (lifetimes, input, now) => engine.write((steps) => startSession(steps, lifetimes, input, now)),
    rotateRefreshToken: (lifetimes, request, now) =>
      engine.optimisticWrite((steps, locked) => rotateRefreshToken(steps, locked, lifetimes, request, now)),
    revokeSession: (input, now) => engine.read((steps) => changedOne(steps.revokeSession(input, now))),
    endAllSessions: (change, now) => engine.write((steps) => endAllSessions(steps, change, now)),
    listSessions: (userId, now) => engine.read((steps) => steps.listLiveSessions(userId, now)),
    recordProof: (proof, now) => engine.write((steps) => recordProof(steps, proof, now)),
    sessionStatus: (input, now) => engine.read((steps) => sessionStatus(steps, input, now)),
  };
}

/** Whether the statement changed its one row. */
function* changedOne(statement: Step<number>): Step<boolean> {
  return (yield* statement) === 1;
}

/**
 * The state of a user's session as the database has it. A session that does not exist or is not
 * the user's reads as revoked: no token of ours names one, so it was pruned long after it ended.
 */
function* sessionStatus(
  steps: SessionSteps,
  input: { sessionId: string; userId: string },
  now: number,
): Step<SessionStatus> {
  const row = yield* steps.sessionState(input);
  if (row === undefined || row.revokedAt !== null) return 'revoked';
  return row.idleExpiresAt <= now || row.absoluteExpiresAt <= now ? 'expired' : 'live';
}
