import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Engine } from '../store/engine';
import type { AuthStore } from '../store/store';
import { PRUNE_BATCH_SIZE, type PruneResult, type PruneTarget } from './housekeeping';
import type { PruneSteps } from './steps';

/**
 * Deletes sessions revoked or expired more than `ENDED_SESSION_RETENTION_MS` ago (their refresh
 * tokens go with them, by cascade), throttle counters whose window has passed, and mailed tokens
 * and outbox rows done with for as long, and passkey challenges, pending sign-ins and provider requests past their expiry. Works in small
 * batches and yields to the event loop between them, so requests interleave with a long prune.
 * The retention is far longer than any access token lives, so the revocation window's rows stay.
 *
 * @example
 * const pruned = await pruneExpired(engine, Date.now()); // { sessions: 12, rateLimits: 40, ... }
 */
export async function pruneExpired(
  engine: Engine<PruneSteps>,
  now: number,
  batchSize = PRUNE_BATCH_SIZE,
): Promise<PruneResult> {
  // Until a batch comes back short, one statement a batch, yielding between batches.
  const prune = async (target: PruneTarget): Promise<number> => {
    let total = 0;
    for (;;) {
      const deleted = await engine.read((steps) => steps.deleteBatch(target, now, batchSize));
      total += deleted;
      if (deleted < batchSize) return total;
      await nextTurn();
    }
  };
  const sessions = await prune('sessions');
  const rateLimits = await prune('rateLimits');
  const mail = (await prune('emailTokens')) + (await prune('mailOutbox'));
  const challenges = await prune('webauthnChallenges');
  const pendingSignIns = await prune('pendingSignIns');
  const oauthRequests = await prune('oauthRequests');
  const deletedAccounts = await prune('users');
  return { sessions, rateLimits, mail, challenges, pendingSignIns, oauthRequests, deletedAccounts };
}

/** The store's `pruneExpired`, on an engine. */
export function housekeepingOperations(engine: Engine<PruneSteps>): Pick<AuthStore, 'pruneExpired'> {
  return { pruneExpired: (now) => pruneExpired(engine, now) };
}
