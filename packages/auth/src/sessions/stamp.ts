import { randomUUID } from 'node:crypto';
import { toUser } from '../accounts/users';
import type { Step } from '../store/step';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import { storedUserAgent } from './client-info';
import {
  type CredentialChange,
  type CredentialChanged,
  credentialMoved,
  type SessionLifetimes,
  type SessionReproof,
  type SessionSubject,
  type StartedSession,
} from './sessions';
import type { SessionSteps } from './steps';

/**
 * The rules that hang on the user's security stamp (`users.credential_version`), written once
 * for every engine: a session starts, and a proof is recorded, only while the stamp is the one
 * read with the credential; a credential change moves it on and ends every session. Each runs as
 * one write transaction (`Engine.write`) whose first statement takes the user's row: SQLite's
 * `BEGIN IMMEDIATE`, PostgreSQL's `FOR UPDATE` (or the update's own row lock), so a change that
 * races a sign-in either waits for it or is seen by it.
 */

/**
 * Starts a session (a new refresh-token family) for a user who just proved who they are, only if
 * their security stamp is still the one read with the credential: a reset, a password change, a
 * role change or "sign out everywhere" that happened meanwhile refuses it with
 * `AuthError('INVALID_CREDENTIALS')`. The user is read under the same lock, so the session
 * carries the role stored now.
 *
 * @example
 * const { sessionId, refreshToken, expiresAt, user } = await engine.write((steps) => startSession(steps, lifetimes, subject, Date.now()));
 */
export function* startSession(
  steps: SessionSteps,
  lifetimes: SessionLifetimes,
  input: SessionSubject,
  now: number,
): Step<StartedSession> {
  const row = yield* steps.lockUser(input.userId);
  if (row === undefined || row.credentialVersion !== input.credentialVersion) throw credentialMoved();
  const sessionId = randomUUID();
  const absoluteExpiresAt = now + lifetimes.sessionMaxAge * 1000;
  const expiresAt = Math.min(now + lifetimes.refreshIdleTtl * 1000, absoluteExpiresAt);
  const refreshToken = generateRefreshToken();
  yield* steps.insertSession({
    id: sessionId,
    userId: input.userId,
    userAgent: storedUserAgent(input.userAgent),
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: expiresAt,
    absoluteExpiresAt,
    authTime: now,
    authMethod: input.method,
    dpopJkt: input.dpopJkt,
  });
  yield* steps.insertToken({
    id: randomUUID(),
    sessionId,
    tokenHash: hashRefreshToken(refreshToken),
    issuedAt: now,
    generation: 0,
  });
  const proof = { authTime: now, method: input.method };
  return { sessionId, userId: input.userId, refreshToken, expiresAt, user: toUser(row), proof, dpopJkt: input.dpopJkt };
}

/**
 * Applies a credential change (see `CredentialChange`), moves the security stamp on and ends every
 * live session of the user. Null when there is no such user, or the stamp is not
 * `expectedVersion`.
 *
 * @example
 * const changed = await engine.write((steps) => endAllSessions(steps, { userId, reason: 'password_changed', passwordHash }, Date.now()));
 */
export function* endAllSessions(
  steps: SessionSteps,
  change: CredentialChange,
  now: number,
): Step<CredentialChanged | null> {
  const row = yield* steps.moveStamp(change);
  if (row === undefined) return null;
  const removedPasskeys = change.removePasskeys ? yield* steps.deletePasskeys(change.userId) : 0;
  if (change.removeSecondFactor) yield* steps.deleteRecoveryCodes(change.userId);
  const ended = yield* steps.endSessionsOf(change.userId, now, change.reason);
  return {
    endedSessionIds: ended.map(({ id }) => id),
    credentialVersion: row.credentialVersion,
    user: toUser(row),
    removedPasskeys,
  };
}

/**
 * Records a fresh proof in a live session (its `auth_time` becomes `now`), only if the user's
 * security stamp is still the one read before the credential was checked. False when the session
 * is not the user's or not live, or the stamp moved.
 *
 * @example
 * if (!(await engine.write((steps) => recordProof(steps, { sessionId, userId, credentialVersion, method: 'password' }, Date.now())))) refuse();
 */
export function* recordProof(steps: SessionSteps, proof: SessionReproof, now: number): Step<boolean> {
  const user = yield* steps.lockUser(proof.userId);
  if (user?.credentialVersion !== proof.credentialVersion) return false;
  return (yield* steps.recordProof(proof, now)) === 1;
}
