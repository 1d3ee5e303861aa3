import { rateLimits, type TesseraDb } from '@tessera/db';
import { RateLimiterDrizzle } from 'rate-limiter-flexible';
import { listUsers } from '../../accounts/admin';
import { listRecentEvents, recordEvent } from '../../accounts/events';
import { findCredential, findUserByEmail, insertUser, preparedUserById } from '../../accounts/users';
import {
  checkEmailToken,
  issueEmailToken,
  markEmailVerified,
  queueMail,
  useEmailToken,
} from '../../mailed-links/email-tokens';
import {
  findPasskeyByCredentialId,
  insertPasskey,
  listPasskeys,
  recordPasskeyUse,
  removePasskey,
  storeChallenge,
  takeChallenge,
} from '../../passkeys/passkeys';
import { housekeepingOperations } from '../../revocation/housekeeping';
import {
  endAllSessions,
  listSessions,
  recordProof,
  revokeSession,
  rotateRefreshToken,
  sessionStatus,
  startSession,
} from '../../sessions/sessions';
import type { AuthStore } from '../../store/store';
import { signingKeyOperations } from '../../tokens/signing-key-rules';
import { sqliteEngine } from './engine';
import { sqlitePruneSteps } from './housekeeping';
import { sqliteKeySteps } from './signing-keys';

/**
 * The auth store on SQLite (better-sqlite3 through Drizzle): the synchronous functions of this
 * package behind the asynchronous interface. A call runs to completion before its promise is
 * returned, so a transaction never spans an `await` and SQLite keeps its synchronous speed; the
 * interface adds one resolved promise per call.
 *
 * @example
 * const auth = await createAuth({ store: createSqliteStore(db), config, box });
 */
export function createSqliteStore(db: TesseraDb): AuthStore {
  const userById = preparedUserById(db);
  return {
    insertUser: async (input, now) => insertUser(db, input, now),
    findUserByEmail: async (email) => findUserByEmail(db, email),
    findUserById: async (id) => userById(id),
    findCredential: async (userId) => findCredential(db, userId),
    listUsers: async (page, now) => listUsers(db, page, now),

    startSession: async (lifetimes, input, now) => startSession(db, lifetimes, input, now),
    rotateRefreshToken: async (lifetimes, request, now) => rotateRefreshToken(db, lifetimes, request, now),
    revokeSession: async (input, now) => revokeSession(db, input, now),
    endAllSessions: async (change, now) => endAllSessions(db, change, now),
    listSessions: async (userId, now) => listSessions(db, userId, now),
    recordProof: async (proof, now) => recordProof(db, proof, now),
    sessionStatus: async (input, now) => sessionStatus(db, input, now),

    issueEmailToken: async (token, now) => issueEmailToken(db, token, now),
    checkEmailToken: async (purpose, tokenHash, now) => checkEmailToken(db, purpose, tokenHash, now),
    useEmailToken: async (purpose, tokenHash, now) => useEmailToken(db, purpose, tokenHash, now),
    markEmailVerified: async (userId, now) => markEmailVerified(db, userId, now),
    queueMail: async (mail, now) => queueMail(db, mail, now),

    insertPasskey: async (passkey, limit, now, sessionId) => insertPasskey(db, passkey, limit, now, sessionId),
    listPasskeys: async (userId) => listPasskeys(db, userId),
    findPasskeyByCredentialId: async (credentialId) => findPasskeyByCredentialId(db, credentialId),
    recordPasskeyUse: async (use, now) => recordPasskeyUse(db, use, now),
    removePasskey: async (input) => removePasskey(db, input),
    storeChallenge: async (challenge, now) => storeChallenge(db, challenge, now),
    takeChallenge: async (challengeHash) => takeChallenge(db, challengeHash),

    recordEvent: async (event, now) => recordEvent(db, event, now),
    listRecentEvents: async (userId) => listRecentEvents(db, userId),

    ...housekeepingOperations(sqliteEngine(db, sqlitePruneSteps(db))),

    signingKeys: signingKeyOperations(sqliteEngine(db, sqliteKeySteps(db))),

    rateLimiter: ({ keyPrefix, points, duration }) =>
      new RateLimiterDrizzle({
        storeClient: db,
        schema: rateLimits,
        keyPrefix,
        points,
        duration,
        // Housekeeping prunes expired rows (pruneExpired), in batches on the server's schedule.
        clearExpiredByTimeout: false,
      }),
  };
}
