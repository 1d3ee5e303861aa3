import { rateLimits, type TesseraDb } from '@tessera/db';
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
import { sqliteAccountLifeSteps } from './account-life';
import { sqliteAccountSteps } from './accounts';
import { sqliteEngine } from './engine';
import { sqlitePruneSteps } from './housekeeping';
import { sqliteIdentitySteps } from './identities';
import { sqliteMailedLinkSteps } from './mailed-links';
import { sqlitePasskeySteps } from './passkeys';
import { sqliteSessionSteps } from './sessions';
import { sqliteKeySteps } from './signing-keys';
import { sqliteTwoFactorSteps } from './two-factor';

/**
 * The auth store on SQLite (better-sqlite3 through Drizzle): each domain's operations, the rules
 * written once, run over SQLite's steps (`sqliteEngine`). A call runs to completion before its
 * promise is returned, so a transaction never spans an `await` and SQLite keeps its synchronous
 * speed; the interface adds one resolved promise per call.
 *
 * @example
 * const auth = await createAuth({ store: createSqliteStore(db), config, box });
 */
export function createSqliteStore(db: TesseraDb): AuthStore {
  return {
    ...accountOperations(sqliteEngine(db, sqliteAccountSteps(db))),

    ...accountLifeOperations(sqliteEngine(db, sqliteAccountLifeSteps(db))),

    ...sessionOperations(sqliteEngine(db, sqliteSessionSteps(db))),

    ...mailedLinkOperations(sqliteEngine(db, sqliteMailedLinkSteps(db))),

    ...passkeyOperations(sqliteEngine(db, sqlitePasskeySteps(db))),

    ...twoFactorOperations(sqliteEngine(db, sqliteTwoFactorSteps(db))),

    ...identityOperations(sqliteEngine(db, sqliteIdentitySteps(db))),

    ...housekeepingOperations(sqliteEngine(db, sqlitePruneSteps(db))),

    signingKeys: signingKeyOperations(sqliteEngine(db, sqliteKeySteps(db))),

    rateLimiter: drizzleCounters(db, rateLimits),
  };
}
