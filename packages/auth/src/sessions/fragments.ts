import {
  and,
  type Column,
  eq,
  gt,
  isNotNull,
  isNull,
  lt,
  type Placeholder,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import { type UserColumns, userSelection } from '../accounts/users';
import { totpCleared } from '../two-factor/fragments';
import type { CredentialChange } from './sessions';

/**
 * The pieces of the sessions' statements that every engine builds the same way: conditions,
 * selections and the values an update sets, as functions of the tables' columns. An engine
 * passes its own table (`@tessera/db`'s for SQLite, `pgSchema`'s for PostgreSQL) and chains
 * these into its builder; a selection keeps the engine's column types, so results stay typed.
 * A column added to a rule is added here, once.
 */

/** The columns of `sessions` the rules read and write. */
export interface SessionColumns {
  id: Column;
  userId: Column;
  createdAt: Column;
  lastUsedAt: Column;
  userAgent: Column;
  idleExpiresAt: Column;
  absoluteExpiresAt: Column;
  revokedAt: Column;
  revokedReason: Column;
  authTime: Column;
  authMethod: Column;
  dpopJkt: Column;
}

/** The columns of `refresh_tokens` the rotation reads and writes. */
export interface TokenColumns {
  id: Column;
  sessionId: Column;
  tokenHash: Column;
  issuedAt: Column;
  replacedAt: Column;
  replacedById: Column;
  successorSealed: Column;
  rotatedBy: Column;
  graceHits: Column;
  generation: Column;
}

/**
 * A statement's value: the value itself (PostgreSQL builds each statement when it runs), or a
 * placeholder that a statement prepared once fills each time it runs (SQLite's rotation).
 */
export type Param<T> = T | Placeholder;
/** A value where Drizzle's types want SQL (an update's `set` takes no bare placeholder). */
const bound = (value: Param<unknown>): SQL => sql`${value}`;

/**
 * The user's sessions that have not ended: not revoked, not expired. `userId` may be a column
 * (a join on the users table), a value or a placeholder.
 *
 * @example
 * db.select().from(sessions).where(liveSessionsOf(sessions, userId, Date.now()));
 */
export const liveSessionsOf = (s: SessionColumns, userId: Param<string> | SQLWrapper, now: Param<number>) =>
  and(eq(s.userId, userId), isNull(s.revokedAt), gt(s.idleExpiresAt, now), gt(s.absoluteExpiresAt, now));

/**
 * The user's session, if it has not ended: what a recorded proof, and an added passkey, require.
 *
 * @example
 * tx.update(sessions).set(proved(now, 'password')).where(liveSession(sessions, { sessionId, userId }, now));
 */
export const liveSession = (
  s: SessionColumns,
  input: { sessionId: Param<string>; userId: Param<string> },
  now: Param<number>,
) => and(eq(s.id, input.sessionId), liveSessionsOf(s, input.userId, now));

/** The session, if it is the user's (ended or not). */
export const sessionOfUser = (s: SessionColumns, input: { sessionId: Param<string>; userId: Param<string> }) =>
  and(eq(s.id, input.sessionId), eq(s.userId, input.userId));

/** The session, if it is not revoked: what an exchange touches, and requires. */
export const unrevokedSessionById = (s: SessionColumns, sessionId: Param<string>) =>
  and(eq(s.id, sessionId), isNull(s.revokedAt));

/** The session, if it is the user's and not revoked yet: what signing out ends. */
export const unrevokedSession = (s: SessionColumns, input: { sessionId: Param<string>; userId: Param<string> }) =>
  and(sessionOfUser(s, input), isNull(s.revokedAt));

/** The user's sessions not revoked yet (expired ones included): what a credential change ends. */
export const unrevokedSessionsOf = (s: SessionColumns, userId: Param<string>) =>
  and(eq(s.userId, userId), isNull(s.revokedAt));

/** The rotation's read, as selected: the token's columns, its session's and its user's, typed as the engine's. */
export type TokenWithSession<T extends TokenColumns, S extends SessionColumns, U extends UserColumns> = {
  tokenId: T['id'];
  sessionId: S['id'];
  user: Pick<U, keyof UserColumns>;
} & Pick<T, 'replacedAt' | 'replacedById' | 'successorSealed' | 'rotatedBy' | 'generation'> &
  Pick<
    S,
    | 'userId'
    | 'revokedAt'
    | 'revokedReason'
    | 'idleExpiresAt'
    | 'absoluteExpiresAt'
    | 'authTime'
    | 'authMethod'
    | 'dpopJkt'
  >;

/** The rotation's read: the presented token's row, its session's and its user's (`FoundToken`). */
export const tokenWithSession = <T extends TokenColumns, S extends SessionColumns, U extends UserColumns>(
  t: T,
  s: S,
  u: U,
): TokenWithSession<T, S, U> => ({
  tokenId: t.id,
  replacedAt: t.replacedAt,
  replacedById: t.replacedById,
  successorSealed: t.successorSealed,
  rotatedBy: t.rotatedBy,
  generation: t.generation,
  sessionId: s.id,
  userId: s.userId,
  revokedAt: s.revokedAt,
  revokedReason: s.revokedReason,
  idleExpiresAt: s.idleExpiresAt,
  absoluteExpiresAt: s.absoluteExpiresAt,
  authTime: s.authTime,
  authMethod: s.authMethod,
  dpopJkt: s.dpopJkt,
  user: userSelection(u),
});

/** How a token's row joins its session's. */
export const sessionOfToken = (t: TokenColumns, s: SessionColumns) => eq(s.id, t.sessionId);

/** How a session's row joins its user's. */
export const userOfSession = (s: SessionColumns, u: UserColumns) => eq(u.id, s.userId);

/** A session as its owner sees it on the sessions page. */
export const sessionSummary = <S extends SessionColumns>(
  s: S,
): Pick<S, 'id' | 'createdAt' | 'lastUsedAt' | 'userAgent'> => ({
  id: s.id,
  createdAt: s.createdAt,
  lastUsedAt: s.lastUsedAt,
  userAgent: s.userAgent,
});

/** What tells a live session from a revoked or an expired one. */
export const sessionState = <S extends SessionColumns>(
  s: S,
): Pick<S, 'revokedAt' | 'idleExpiresAt' | 'absoluteExpiresAt'> => ({
  revokedAt: s.revokedAt,
  idleExpiresAt: s.idleExpiresAt,
  absoluteExpiresAt: s.absoluteExpiresAt,
});

/** A session used just now: its idle expiry slides to `idleExpiresAt`. */
export const touched = (now: Param<number>, idleExpiresAt: Param<number>) => ({
  lastUsedAt: bound(now),
  idleExpiresAt: bound(idleExpiresAt),
});

/** A session ended, and why (`sessions.revoked_reason`). */
export const ended = (now: Param<number>, reason: Param<string>) => ({
  revokedAt: bound(now),
  revokedReason: bound(reason),
});

/** A proof just given in the session: the access token's `auth_time` and `amr`. */
export const proved = (now: Param<number>, method: Param<string>) => ({
  authTime: bound(now),
  authMethod: bound(method),
});

/** The token, while it has not been replaced: the rotation's compare-and-swap. */
export const currentToken = (t: TokenColumns, tokenId: Param<string>) => and(eq(t.id, tokenId), isNull(t.replacedAt));

/** A token exchanged: by whom, for which successor, and that successor sealed for the grace window. */
export const replaced = (exchange: {
  now: Param<number>;
  successorId: Param<string>;
  successorSealed: Param<string>;
  client: Param<string>;
}) => ({
  replacedAt: bound(exchange.now),
  replacedById: bound(exchange.successorId),
  successorSealed: bound(exchange.successorSealed),
  rotatedBy: bound(exchange.client),
});

/**
 * A sealed successor dropped once its grace window passed (the sweep). (A literal null, not a parameter: the statement's SQL then takes only the values that vary.)
 */
export const successorForgotten = { successorSealed: sql`null` };

/**
 * The session's replaced tokens older than generation `keptFrom`: what an exchange deletes, so
 * rows stay bounded however long a session lives (one index entry read, `(session_id,
 * generation)`, where counting the newest meant reading and sorting them all).
 */
export const replacedBefore = (t: TokenColumns, sessionId: Param<string>, keptFrom: Param<number>) =>
  and(eq(t.sessionId, sessionId), isNotNull(t.replacedAt), lt(t.generation, keptFrom));

/** One more grace retry honoured. */
export const graceHit = (t: TokenColumns) => ({ graceHits: sql`${t.graceHits} + 1` });

/** Tokens replaced before `before` whose successor is still sealed: the grace window has passed. */
export const graceSuccessorsDue = (t: TokenColumns, before: Param<number>) =>
  and(isNotNull(t.successorSealed), lt(t.replacedAt, before));

/** The columns of `users` a session reads: what a client may see, and the security stamp. */
export interface StampedUserColumns extends UserColumns {
  credentialVersion: Column;
  passwordHash: Column;
}

/** The user as `toUser` reads them, with the security stamp. */
export const stampedUser = <U extends StampedUserColumns>(u: U): Pick<U, keyof UserColumns | 'credentialVersion'> => ({
  ...userSelection(u),
  credentialVersion: u.credentialVersion,
});

/**
 * The user whose stamp a credential change moves: only while it is `expectedVersion`, if given,
 * and while the session the change comes from is live, if it comes from one.
 */
export const stampToMove = (u: StampedUserColumns, change: CredentialChange, s: SessionColumns & SQLWrapper) =>
  and(
    eq(u.id, change.userId),
    change.expectedVersion === undefined ? undefined : eq(u.credentialVersion, change.expectedVersion),
    change.fromSession === undefined
      ? undefined
      : sql`exists (select 1 from ${s} where ${liveSession(s, { sessionId: change.fromSession.sessionId, userId: change.userId }, change.fromSession.at)})`,
  );

/** A credential change: the stamp moved on, with the new password hash or role, if any. */
export const stampMoved = (u: StampedUserColumns, change: CredentialChange) => ({
  credentialVersion: sql`${u.credentialVersion} + 1`,
  ...(change.passwordHash === undefined ? {} : { passwordHash: change.passwordHash }),
  ...(change.role === undefined ? {} : { role: change.role }),
  ...(change.email === undefined ? {} : { email: change.email.address, emailVerifiedAt: change.email.provedAt }),
  ...(change.removeSecondFactor ? totpCleared : {}),
});
