import { pgSchema } from '@tessera/db';
import { prunable } from '../../revocation/housekeeping';
import type { PruneSteps } from '../../revocation/steps';
import { awaited } from '../../store/step';
import type { PgQueryable } from './engine';

/** Pruning's statement on PostgreSQL: one batch deleted. */
export const pgPruneSteps = (q: PgQueryable): PruneSteps => ({
  deleteBatch: (target, now, limit) => {
    const { table, where } = prunable(pgSchema, target, now, limit);
    return awaited(
      q
        .delete(table)
        .where(where)
        .then((result) => result.rowCount ?? 0),
    );
  },
});
