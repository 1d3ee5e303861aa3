import type { TesseraPgDb } from '@tessera/db';
import type { Engine } from '../../store/engine';
import { runAwaited } from '../../store/step';
import { retryOnConflict } from './retry';

/** A pool or a transaction: what PostgreSQL steps run their statements on. */
export type PgQueryable = TesseraPgDb | Parameters<Parameters<TesseraPgDb['transaction']>[0]>[0];

/**
 * PostgreSQL as an {@link Engine}: a rule's steps are awaited one by one; a write runs in one
 * transaction on one pooled connection, its steps taking the row locks (`FOR UPDATE`) or advisory
 * locks the rule needs, and runs again when PostgreSQL aborts it for a deadlock or a
 * serialization failure (`retryOnConflict`).
 */
export function pgEngine<Steps>(db: TesseraPgDb, stepsOn: (queryable: PgQueryable) => Steps): Engine<Steps> {
  const onPool = stepsOn(db);
  return {
    write: (rule) => retryOnConflict(() => db.transaction((tx) => runAwaited(rule(stepsOn(tx))))),
    read: (rule) => runAwaited(rule(onPool)),
  };
}
