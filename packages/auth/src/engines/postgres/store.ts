import { randomUUID } from 'node:crypto';
import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { and, count, desc, eq, gt, isNull, lt, max, or, sql } from 'drizzle-orm';
import { RateLimiterDrizzle } from 'rate-limiter-flexible';
import { type UserOverview, usersPage } from '../../accounts/admin';
import { type AuthEvent, RECENT_EVENTS_LIMIT, toAuthEvents } from '../../accounts/events';
import { toUser, type User } from '../../accounts/users';
import { AuthError } from '../../errors';
import { housekeepingOperations } from '../../revocation/housekeeping';
import { storedUserAgent } from '../../sessions/client-info';
import type { AuthStore } from '../../store/store';
import { signingKeyOperations } from '../../tokens/signing-key-rules';
import {
  checkEmailTokenPg,
  issueEmailTokenPg,
  markEmailVerifiedPg,
  queueMailPg,
  useEmailTokenPg,
} from './email-tokens';
import { pgEngine } from './engine';
import { pgPruneSteps } from './housekeeping';
import {
  findPasskeyByCredentialIdPg,
  insertPasskeyPg,
  listPasskeysPg,
  recordPasskeyUsePg,
  removePasskeyPg,
  storeChallengePg,
  takeChallengePg,
} from './passkeys';
import { sqlState } from './retry';
import {
  endAllSessionsPg,
  listSessionsPg,
  recordProofPg,
  revokeSessionPg,
  rotateRefreshTokenPg,
  sessionStatusPg,
  startSessionPg,
  userColumns,
} from './sessions';
import { pgKeySteps } from './signing-keys';

const { users, sessions, authEvents, rateLimits } = pgSchema;
/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The auth store on PostgreSQL (node-postgres through Drizzle, a pool): the same operations and
 * rules as the SQLite store, for several server instances sharing one database.
 *
 * @example
 * const { db } = await createPgDb(process.env.DATABASE_URL);
 * const auth = await createAuth({ store: createPgStore(db), background: createPgBackground(db), config, box });
 */
export function createPgStore(db: TesseraPgDb): AuthStore {
  return {
    async insertUser(input, now) {
      const user: User = { id: randomUUID(), email: input.email, name: input.name, role: 'user', emailVerified: false };
      try {
        await db.insert(users).values({
          id: user.id,
          email: user.email,
          name: user.name,
          passwordHash: input.passwordHash,
          createdAt: now,
        });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw new AuthError('EMAIL_TAKEN');
        throw error;
      }
      return user;
    },
    async findUserByEmail(email) {
      const [found] = await db
        .select({ ...userColumns, passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
        .from(users)
        .where(eq(users.email, email));
      return found
        ? { ...toUser(found), passwordHash: found.passwordHash, credentialVersion: found.credentialVersion }
        : null;
    },
    async findUserById(id) {
      const [found] = await db.select(userColumns).from(users).where(eq(users.id, id));
      return found ? toUser(found) : null;
    },
    async findCredential(userId) {
      const [found] = await db
        .select({ passwordHash: users.passwordHash, credentialVersion: users.credentialVersion })
        .from(users)
        .where(eq(users.id, userId));
      return found ?? null;
    },
    async listUsers(page, now) {
      const live = and(
        eq(sessions.userId, users.id),
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, now),
        gt(sessions.absoluteExpiresAt, now),
      );
      const after = page.after;
      const rows: UserOverview[] = await db
        .select({
          id: users.id,
          email: users.email,
          role: users.role,
          createdAt: users.createdAt,
          lastActiveAt: max(sessions.lastUsedAt),
          sessions: count(sessions.id),
        })
        .from(users)
        .leftJoin(sessions, live)
        .where(
          after
            ? or(
                lt(users.createdAt, after.createdAt),
                and(eq(users.createdAt, after.createdAt), lt(users.id, after.id)),
              )
            : sql`true`,
        )
        .groupBy(users.id)
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(page.limit + 1);
      return usersPage(rows, page.limit);
    },

    startSession: (lifetimes, input, now) => startSessionPg(db, lifetimes, input, now),
    rotateRefreshToken: (lifetimes, request, now) => rotateRefreshTokenPg(db, lifetimes, request, now),
    revokeSession: (input, now) => revokeSessionPg(db, input, now),
    endAllSessions: (change, now) => endAllSessionsPg(db, change, now),
    listSessions: (userId, now) => listSessionsPg(db, userId, now),
    recordProof: (proof, now) => recordProofPg(db, proof, now),
    sessionStatus: (input, now) => sessionStatusPg(db, input, now),

    issueEmailToken: (token, now) => issueEmailTokenPg(db, token, now),
    checkEmailToken: (purpose, tokenHash, now) => checkEmailTokenPg(db, purpose, tokenHash, now),
    useEmailToken: (purpose, tokenHash, now) => useEmailTokenPg(db, purpose, tokenHash, now),
    markEmailVerified: (userId, now) => markEmailVerifiedPg(db, userId, now),
    queueMail: (mail, now) => queueMailPg(db, mail, now),

    insertPasskey: (passkey, limit, now, sessionId) => insertPasskeyPg(db, passkey, limit, now, sessionId),
    listPasskeys: (userId) => listPasskeysPg(db, userId),
    findPasskeyByCredentialId: (credentialId) => findPasskeyByCredentialIdPg(db, credentialId),
    recordPasskeyUse: (use, now) => recordPasskeyUsePg(db, use, now),
    removePasskey: (input) => removePasskeyPg(db, input),
    storeChallenge: (challenge, now) => storeChallengePg(db, challenge, now),
    takeChallenge: (challengeHash) => takeChallengePg(db, challengeHash),

    async recordEvent(event, now) {
      await db.insert(authEvents).values({
        userId: event.userId,
        type: event.type,
        at: now,
        userAgent: storedUserAgent(event.client.userAgent),
        ip: event.client.ip,
        sessionId: event.sessionId,
        actorSessionId: event.actorSessionId ?? null,
        method: event.method ?? null,
      });
    },
    async listRecentEvents(userId): Promise<AuthEvent[]> {
      const rows = await db
        .select({
          id: authEvents.id,
          type: authEvents.type,
          at: authEvents.at,
          userAgent: authEvents.userAgent,
          ip: authEvents.ip,
          sessionId: authEvents.sessionId,
          method: authEvents.method,
        })
        .from(authEvents)
        .where(eq(authEvents.userId, userId))
        .orderBy(desc(authEvents.id))
        .limit(RECENT_EVENTS_LIMIT);
      return toAuthEvents(rows);
    },

    ...housekeepingOperations(pgEngine(db, pgPruneSteps)),

    signingKeys: signingKeyOperations(pgEngine(db, pgKeySteps)),

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
