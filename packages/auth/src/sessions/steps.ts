import type { Role } from '@tessera/contract';
import type { SignInMethod } from '../accounts/events';
import type { UserRecord } from '../accounts/users';
import type { Step } from '../store/step';
import type { CredentialChange, SessionSummary } from './sessions';

/**
 * The single statements the sessions' rules are written over (rotation.ts, stamp.ts,
 * operations.ts). Each engine supplies them: SQLite as statements prepared once, run at once;
 * PostgreSQL as queries awaited on the rule's transaction. A step runs one statement and takes
 * the locks its engine needs for it (PostgreSQL: `FOR UPDATE` where a step says it locks); it
 * decides nothing: every comparison and every value computed lives in the rules, every shared
 * condition and selection in fragments.ts.
 */
export interface SessionSteps {
  /**
   * The token with this hash, its session's row and its user's. In a PostgreSQL transaction it
   * locks the token's and the session's rows (`FOR UPDATE`), not the user's.
   */
  findToken(tokenHash: string): Step<FoundToken | undefined>;
  /** The session used at `now`, its idle expiry slid to `idleExpiresAt`. */
  touchSession(sessionId: string, now: number, idleExpiresAt: number): Step<unknown>;
  /**
   * The rotation's write, one compare-and-swap: only if the token is still not replaced and its
   * session still not revoked, marks the token replaced (by the successor, sealed), touches the
   * session, deletes its replaced tokens older than generation `keptFrom` and stores the
   * successor. Whether it did. PostgreSQL: one statement, which locks the token's row, then the
   * session's.
   */
  exchange(exchange: Exchange): Step<boolean>;
  insertToken(token: NewToken): Step<unknown>;
  /** The token that replaced a replaced one: whether it has been replaced in turn. */
  successorOf(successorId: string): Step<{ replacedAt: number | null } | undefined>;
  countGraceHit(tokenId: string): Step<unknown>;
  /** Ends the session, whoever's it is and whatever its state (reuse detected). */
  endSession(sessionId: string, now: number, reason: string): Step<unknown>;

  /** The user, with their security stamp. PostgreSQL locks the row (`FOR UPDATE`). */
  lockUser(userId: string): Step<StampedUser | undefined>;
  insertSession(session: NewSession): Step<unknown>;
  /** Applies a credential change and moves the stamp on (the row's write lock): the user as now stored. */
  moveStamp(change: CredentialChange): Step<StampedUser | undefined>;
  /** Deletes every passkey of the user: how many. */
  deletePasskeys(userId: string): Step<number>;
  deleteRecoveryCodes(userId: string): Step<void>;
  /** Ends every session of the user not ended yet: their ids. */
  endSessionsOf(userId: string, now: number, reason: string): Step<Array<{ id: string }>>;
  /** Ends the session if it is the user's and not ended yet: how many rows changed. */
  revokeSession(input: { sessionId: string; userId: string; reason: string }, now: number): Step<number>;
  /** The user's live sessions, most recently used first. */
  listLiveSessions(userId: string, now: number): Step<SessionSummary[]>;
  /** Records a proof given at `now` in the user's session, if it is live: how many rows changed. */
  recordProof(proof: { sessionId: string; userId: string; method: SignInMethod }, now: number): Step<number>;
  /** The session's ends, if it is the user's. */
  sessionState(input: { sessionId: string; userId: string }): Step<SessionState | undefined>;
  /** Drops the sealed successors of tokens replaced before `before`: how many. */
  expireGraceSuccessors(before: number): Step<number>;
}

/** What the rotation reads of the presented token's row, its session's and its user's. */
export interface FoundToken {
  tokenId: string;
  replacedAt: number | null;
  replacedById: string | null;
  successorSealed: string | null;
  rotatedBy: string | null;
  /** Its place in the session's line of tokens (`refresh_tokens.generation`). */
  generation: number;
  sessionId: string;
  userId: string;
  revokedAt: number | null;
  /** What ended the session (`sessions.revoked_reason`), null while it is live. */
  revokedReason: string | null;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  authTime: number;
  authMethod: SignInMethod;
  /** The device key the session is bound to (DPoP), or null for a Bearer session. */
  dpopJkt: string | null;
  /** The session's user as stored now: the new access token's claims (role included) are read here. */
  user: UserRecord;
}

/** A current token exchanged for its successor, which is kept sealed for the grace window. */
export type Exchange = {
  tokenId: string;
  sessionId: string;
  now: number;
  /** The session's idle expiry, slid on. */
  idleExpiresAt: number;
  /** `clientFingerprint` of the client that exchanged it: only it may retry. */
  client: string;
  /** The successor's row, in the exchanged token's session. */
  successor: Omit<NewToken, 'sessionId'>;
  successorSealed: string;
  /** The oldest generation of the session's tokens kept: older replaced ones are deleted. */
  keptFrom: number;
};

/** A refresh token's row as inserted: only its hash is stored. */
export type NewToken = {
  id: string;
  sessionId: string;
  tokenHash: string;
  issuedAt: number;
  /** Its predecessor's plus one; a session's first token is 0. */
  generation: number;
};

/** A session's row as inserted. */
export type NewSession = {
  id: string;
  userId: string;
  userAgent: string | null;
  createdAt: number;
  lastUsedAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  authTime: number;
  authMethod: SignInMethod;
  /** The thumbprint of the device key it is bound to (DPoP), or null. */
  dpopJkt: string | null;
};

/** `columns` if it names every key of `T`, else a compile error: for lists an engine binds one by one. */
const everyColumnOf =
  <T>() =>
  <const C extends ReadonlyArray<keyof T>>(
    columns: C & ([Exclude<keyof T, C[number]>] extends [never] ? unknown : never),
  ) =>
    columns;

/**
 * Every column of a new session, for an engine that binds them one by one (SQLite's prepared
 * insert): a column added to `NewSession` and not here fails to compile, not to be stored.
 */
export const NEW_SESSION_COLUMNS = everyColumnOf<NewSession>()([
  'id',
  'userId',
  'userAgent',
  'createdAt',
  'lastUsedAt',
  'idleExpiresAt',
  'absoluteExpiresAt',
  'authTime',
  'authMethod',
  'dpopJkt',
]);

/** The user as `toUser` reads them, with the security stamp. */
export interface StampedUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerifiedAt: number | null;
  totpEnabledAt: number | null;
  credentialVersion: number;
}

/** What tells a live session from a revoked or an expired one. */
export interface SessionState {
  revokedAt: number | null;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}
