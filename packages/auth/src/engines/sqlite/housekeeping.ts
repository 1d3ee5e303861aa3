import {
  emailTokens,
  mailOutbox,
  oauthRequests,
  pendingSignIns,
  rateLimits,
  sessions,
  type TesseraDb,
  users,
  webauthnChallenges,
} from '@tessera/db';
import { prunable } from '../../revocation/housekeeping';
import type { PruneSteps } from '../../revocation/steps';
import { immediate } from '../../store/step';

const tables = {
  sessions,
  rateLimits,
  emailTokens,
  mailOutbox,
  webauthnChallenges,
  pendingSignIns,
  oauthRequests,
  users,
};

/** Pruning's statement on SQLite: one batch deleted. */
export const sqlitePruneSteps = (db: TesseraDb): PruneSteps => ({
  deleteBatch: (target, now, limit) => {
    const { table, where } = prunable(tables, target, now, limit);
    return immediate(() => db.delete(table).where(where).run().changes);
  },
});
