import type { Step } from '../store/step';
import type { PruneTarget } from './housekeeping';

/** The one statement pruning is made of, each engine its own (`housekeeping.ts` in `engines/sqlite/` and `engines/postgres/`). */
export interface PruneSteps {
  /**
   * Deletes the batch `prunable(tables, target, now, limit)` names (at most `limit` rows); resolves to how
   * many it deleted. One statement, outside any transaction.
   */
  deleteBatch(target: PruneTarget, now: number, limit: number): Step<number>;
}
