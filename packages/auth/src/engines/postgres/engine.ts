import type { TesseraPgDb } from '@tessera/db';
import { Contended, type Engine } from '../../store/engine';
import { runAwaited } from '../../store/step';
import { retryOnConflict } from './retry';

/** A pool or a transaction: what PostgreSQL steps run their statements on. */
export type PgQueryable = TesseraPgDb | Parameters<Parameters<TesseraPgDb['transaction']>[0]>[0];

/**
 * A domain's steps on a pool or a transaction. `inTransaction` tells steps that read what a rule
 * decides on whether to lock those rows (`FOR UPDATE`, held to the commit): on the pool a lock
 * would end with its statement and only cost a write.
 */
export type PgStepsOn<Steps> = (queryable: PgQueryable, inTransaction: boolean) => Steps;

/**
 * PostgreSQL as an {@link Engine}: a rule's steps are awaited one by one; a write runs in one
 * transaction on one pooled connection, its steps taking the row locks (`FOR UPDATE`) or advisory
 * locks the rule needs, and runs again when PostgreSQL aborts it for a deadlock or a
 * serialization failure (`retryOnConflict`). An optimistic write runs its steps on the pool, each
 * statement atomic on its own, and becomes a locked write when the rule says it is contended.
 */
export function pgEngine<Steps>(db: TesseraPgDb, stepsOn: PgStepsOn<Steps>): Engine<Steps> {
  const onPool = stepsOn(db, false);
  const write: Engine<Steps>['write'] = (rule) =>
    retryOnConflict(() => db.transaction((tx) => runAwaited(rule(stepsOn(tx, true)))));
  return {
    write,
    read: (rule) => runAwaited(rule(onPool)),
    optimisticWrite: async (rule) => {
      try {
        // Its statements are atomic one by one, but one may still be a deadlock's victim.
        return await retryOnConflict(() => runAwaited(rule(onPool, false)));
      } catch (error) {
        if (!(error instanceof Contended)) throw error;
        return write((steps) => rule(steps, true));
      }
    },
  };
}
