import { randomUUID } from 'node:crypto';
import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { and, desc, eq, gt, isNotNull, isNull, ne, notInArray, sql } from 'drizzle-orm';
import { toUser } from '../../accounts/users';
import { storedUserAgent } from '../../sessions/client-info';
import {
  type CredentialChange,
  type CredentialChanged,
  credentialMoved,
  graceRetryRefusalBeforeSuccessor,
  graceRetryRefusalGivenSuccessor,
  type RotationRequest,
  type RotationResult,
  type SessionLifetimes,
  type SessionReproof,
  type SessionStatus,
  type SessionSubject,
  type SessionSummary,
  type StartedSession,
  successorContext,
} from '../../sessions/sessions';
import { generateRefreshToken, hashRefreshToken } from '../../tokens/refresh-token';
import { REPLACED_TOKENS_KEPT } from '../sqlite/rotation-statements';
import { retryOnConflict } from './retry';

const { sessions, refreshTokens, users, passkeys } = pgSchema;

/**
 * The sessions and refresh tokens on PostgreSQL: the same operations, with the same rules, as
 * sessions.ts on SQLite. Where SQLite takes its one write lock first (IMMEDIATE), a rotation
 * here locks the token's and the session's rows (`SELECT … FOR UPDATE`): a second exchange of
 * the same token waits for the first to commit, then reads the token as replaced, exactly as a
 * second process does on SQLite.
 */

/** The columns a client may see, as `toUser` reads them (PostgreSQL's schema). */
export const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  emailVerifiedAt: users.emailVerifiedAt,
};

/**
 * Starts a session (a new refresh-token family) only while the security stamp is the one read
 * with the credential; see `startSession` in sessions.ts. The user's row is locked (`FOR
 * UPDATE`), so a credential change waits for this insert, or this one sees the change.
 */
export async function startSessionPg(
  db: TesseraPgDb,
  lifetimes: SessionLifetimes,
  input: SessionSubject,
  now: number,
): Promise<StartedSession> {
  const sessionId = randomUUID();
  const absoluteExpiresAt = now + lifetimes.sessionMaxAge * 1000;
  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, absoluteExpiresAt);
  const refreshToken = generateRefreshToken();
  const user = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ ...userColumns, credentialVersion: users.credentialVersion })
      .from(users)
      .where(eq(users.id, input.userId))
      .for('update');
    if (!row || row.credentialVersion !== input.credentialVersion) throw credentialMoved();
    await tx.insert(sessions).values({
      id: sessionId,
      userId: input.userId,
      userAgent: storedUserAgent(input.userAgent),
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: expiresAt,
      absoluteExpiresAt,
      authTime: now,
      authMethod: input.method,
    });
    await tx
      .insert(refreshTokens)
      .values({ id: randomUUID(), sessionId, tokenHash: hashRefreshToken(refreshToken), issuedAt: now });
    return toUser(row);
  });
  return {
    sessionId,
    userId: input.userId,
    refreshToken,
    expiresAt,
    user,
    proof: { authTime: now, method: input.method },
  };
}

/**
 * Applies a credential change, moves the stamp on and ends every session, in one transaction
 * whose first statement locks the user's row; see `endAllSessions` in sessions.ts.
 */
export function endAllSessionsPg(
  db: TesseraPgDb,
  change: CredentialChange,
  now: number,
): Promise<CredentialChanged | null> {
  return db.transaction(async (tx) => {
    const stamp =
      change.expectedVersion === undefined
        ? eq(users.id, change.userId)
        : and(eq(users.id, change.userId), eq(users.credentialVersion, change.expectedVersion));
    const [row] = await tx
      .update(users)
      .set({
        credentialVersion: sql`${users.credentialVersion} + 1`,
        ...(change.passwordHash === undefined ? {} : { passwordHash: change.passwordHash }),
        ...(change.role === undefined ? {} : { role: change.role }),
      })
      .where(stamp)
      .returning({ ...userColumns, credentialVersion: users.credentialVersion });
    if (!row) return null;
    const removed = change.removePasskeys ? await tx.delete(passkeys).where(eq(passkeys.userId, change.userId)) : null;
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: now, revokedReason: change.reason })
      .where(and(eq(sessions.userId, change.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    const endedSessionIds = ended.map(({ id }) => id);
    const removedPasskeys = removed?.rowCount ?? 0;
    return { endedSessionIds, credentialVersion: row.credentialVersion, user: toUser(row), removedPasskeys };
  });
}

/**
 * Exchanges a refresh token for its successor; see `rotateRefreshToken` in sessions.ts for the
 * rules. A deadlock or serialization failure (two exchanges in one session crossing) is retried
 * a few times, never reported as a refusal.
 */
export function rotateRefreshTokenPg(
  db: TesseraPgDb,
  lifetimes: SessionLifetimes,
  request: RotationRequest,
  now: number,
): Promise<RotationResult> {
  const tokenHash = hashRefreshToken(request.presentedToken);
  return retryOnConflict(() =>
    db.transaction(async (tx): Promise<RotationResult> => {
      const [found] = await tx
        .select({
          tokenId: refreshTokens.id,
          replacedAt: refreshTokens.replacedAt,
          replacedById: refreshTokens.replacedById,
          successorSealed: refreshTokens.successorSealed,
          rotatedBy: refreshTokens.rotatedBy,
          sessionId: sessions.id,
          userId: sessions.userId,
          revokedAt: sessions.revokedAt,
          idleExpiresAt: sessions.idleExpiresAt,
          absoluteExpiresAt: sessions.absoluteExpiresAt,
          authTime: sessions.authTime,
          authMethod: sessions.authMethod,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update');
      if (!found) return { ok: false, reason: 'unknown', sessionId: null, userId: null };
      const { sessionId, userId } = found;
      if (found.revokedAt !== null) return { ok: false, reason: 'revoked', sessionId, userId };
      if (found.idleExpiresAt <= now || found.absoluteExpiresAt <= now) {
        return { ok: false, reason: 'expired', sessionId, userId };
      }

      const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, found.absoluteExpiresAt);
      const issued = async (refreshToken: string, graceRetry: boolean): Promise<RotationResult> => {
        await tx.update(sessions).set({ lastUsedAt: now, idleExpiresAt: expiresAt }).where(eq(sessions.id, sessionId));
        const proof = { authTime: found.authTime, method: found.authMethod };
        return { ok: true, graceRetry, sessionId, userId, refreshToken, expiresAt, proof };
      };

      if (found.replacedAt === null) {
        const successor = generateRefreshToken();
        const successorId = randomUUID();
        const swapped = await tx
          .update(refreshTokens)
          .set({
            replacedAt: now,
            replacedById: successorId,
            successorSealed: request.box.seal(successor, successorContext(found.tokenId)),
            rotatedBy: request.client,
          })
          .where(and(eq(refreshTokens.id, found.tokenId), isNull(refreshTokens.replacedAt)));
        // The row has been locked since the read: nobody can have replaced it in between.
        if (swapped.rowCount !== 1) throw new Error('Refresh token changed under its row lock');
        await tx
          .insert(refreshTokens)
          .values({ id: successorId, sessionId, tokenHash: hashRefreshToken(successor), issuedAt: now });
        // Once a newer exchange happened, an older token's successor is never handed out again.
        await tx
          .update(refreshTokens)
          .set({ successorSealed: null })
          .where(
            and(
              eq(refreshTokens.sessionId, sessionId),
              ne(refreshTokens.id, found.tokenId),
              isNotNull(refreshTokens.successorSealed),
            ),
          );
        // Keeps the session's newest REPLACED_TOKENS_KEPT replaced tokens (and its live one).
        await tx.delete(refreshTokens).where(
          and(
            eq(refreshTokens.sessionId, sessionId),
            isNotNull(refreshTokens.replacedAt),
            notInArray(
              refreshTokens.id,
              tx
                .select({ id: refreshTokens.id })
                .from(refreshTokens)
                .where(eq(refreshTokens.sessionId, sessionId))
                .orderBy(desc(refreshTokens.issuedAt))
                .limit(REPLACED_TOKENS_KEPT + 1),
            ),
          ),
        );
        return issued(successor, false);
      }

      let reuse = graceRetryRefusalBeforeSuccessor(found, lifetimes, now);
      if (reuse === null && found.replacedById !== null) {
        const [successor] = await tx
          .select({ replacedAt: refreshTokens.replacedAt })
          .from(refreshTokens)
          .where(eq(refreshTokens.id, found.replacedById));
        reuse = graceRetryRefusalGivenSuccessor(found, successor, request.client);
      }
      if (reuse === null && found.successorSealed !== null) {
        await tx
          .update(refreshTokens)
          .set({ graceHits: sql`${refreshTokens.graceHits} + 1` })
          .where(eq(refreshTokens.id, found.tokenId));
        return issued(request.box.open(found.successorSealed, successorContext(found.tokenId)), true);
      }
      await tx
        .update(sessions)
        .set({ revokedAt: now, revokedReason: 'reuse_detected' })
        .where(eq(sessions.id, sessionId));
      return { ok: false, reason: 'reused', reuse: reuse ?? 'after_grace', sessionId, userId };
    }),
  );
}

/** See `revokeSession` in sessions.ts. */
export async function revokeSessionPg(
  db: TesseraPgDb,
  input: { sessionId: string; userId: string; reason: string },
  now: number,
): Promise<boolean> {
  const result = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: input.reason })
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId), isNull(sessions.revokedAt)));
  return result.rowCount === 1;
}

/** The user's session, if it has not ended (see `liveSessionOf` in sessions.ts). */
export const liveSessionOfPg = (input: { sessionId: string; userId: string }, now: number) =>
  and(
    eq(sessions.id, input.sessionId),
    eq(sessions.userId, input.userId),
    isNull(sessions.revokedAt),
    gt(sessions.idleExpiresAt, now),
    gt(sessions.absoluteExpiresAt, now),
  );

/** See `recordProof` in sessions.ts; the user's row is locked while the stamp is compared. */
export function recordProofPg(db: TesseraPgDb, proof: SessionReproof, now: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ credentialVersion: users.credentialVersion })
      .from(users)
      .where(eq(users.id, proof.userId))
      .for('update');
    if (user?.credentialVersion !== proof.credentialVersion) return false;
    const updated = await tx
      .update(sessions)
      .set({ authTime: now, authMethod: proof.method })
      .where(liveSessionOfPg(proof, now));
    return updated.rowCount === 1;
  });
}

/** See `listSessions` in sessions.ts. */
export function listSessionsPg(db: TesseraPgDb, userId: string, now: number): Promise<SessionSummary[]> {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, now),
        gt(sessions.absoluteExpiresAt, now),
      ),
    )
    .orderBy(desc(sessions.lastUsedAt));
}

/** See `sessionStatus` in sessions.ts. */
export async function sessionStatusPg(
  db: TesseraPgDb,
  input: { sessionId: string; userId: string },
  now: number,
): Promise<SessionStatus> {
  const [row] = await db
    .select({
      revokedAt: sessions.revokedAt,
      idleExpiresAt: sessions.idleExpiresAt,
      absoluteExpiresAt: sessions.absoluteExpiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)));
  if (!row || row.revokedAt !== null) return 'revoked';
  return row.idleExpiresAt <= now || row.absoluteExpiresAt <= now ? 'expired' : 'live';
}
