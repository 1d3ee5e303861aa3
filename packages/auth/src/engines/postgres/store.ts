import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { accountLifeOperations } from '../../account-life/operations';
import { accountOperations } from '../../accounts/operations';
import { identityOperations } from '../../identities/operations';
import { mailedLinkOperations } from '../../mailed-links/operations';
import { passkeyOperations } from '../../passkeys/operations';
import { housekeepingOperations } from '../../revocation/operations';
import { sessionOperations } from '../../sessions/operations';
import type { AuthStore } from '../../store/store';
import { drizzleCounters } from '../../throttle/counters';
import { signingKeyOperations } from '../../tokens/signing-key-rules';
import { twoFactorOperations } from '../../two-factor/operations';
import { pgAccountLifeSteps } from './account-life';
import { pgAccountSteps } from './accounts';
import { pgEngine } from './engine';
import { pgPruneSteps } from './housekeeping';
import { pgIdentitySteps } from './identities';
import { pgMailedLinkSteps } from './mailed-links';
import { pgPasskeySteps } from './passkeys';
import { pgSessionSteps } from './sessions';
import { pgKeySteps } from './signing-keys';
import { pgTwoFactorSteps } from './two-factor';

const { rateLimits } = pgSchema;

/**
 * The auth store on PostgreSQL (node-postgres through Drizzle, a pool): each domain's operations,
 * the rules written once, run over PostgreSQL's steps (`pgEngine`: a write is one transaction,
 * its steps taking their row or advisory locks, retried on a deadlock or serialization
 * failure), for several server instances sharing one database.
 *
 * @example
 * const { db } = await createPgDb(process.env.DATABASE_URL);
 * const auth = await createAuth({ store: createPgStore(db), background: createPgBackground(db), config, box });
 */
export function createPgStore(db: TesseraPgDb): AuthStore {
  return {
    ...accountOperations(pgEngine(db, pgAccountSteps)),

    ...accountLifeOperations(pgEngine(db, pgAccountLifeSteps)),

    ...sessionOperations(pgEngine(db, pgSessionSteps)),

    ...mailedLinkOperations(pgEngine(db, pgMailedLinkSteps)),
    ...passkeyOperations(pgEngine(db, pgPasskeySteps)),

    ...twoFactorOperations(pgEngine(db, pgTwoFactorSteps)),

    ...identityOperations(pgEngine(db, pgIdentitySteps)),

    ...housekeepingOperations(pgEngine(db, pgPruneSteps)),

    signingKeys: signingKeyOperations(pgEngine(db, pgKeySteps)),

    rateLimiter: drizzleCounters(db, rateLimits),
  };
}
