import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AccountDeletion, EmailChangeConfirmation, EmailChangeOutcome } from '../account-life/account-life';
import type { UserOverview, UsersCursor } from '../accounts/admin';
import type { AuthEvent, NewAuthEvent } from '../accounts/events';
import type { StoredCredential, User } from '../accounts/users';
import type {
  IdentityLink,
  IdentityProof,
  IdentityRemoval,
  IdentitySignIn,
  LinkedIdentity,
  OAuthRequestRow,
  ProvenIdentity,
} from '../identities/identities';
import type { EmailTokenCheck, EmailTokenPurpose, NewEmailToken } from '../mailed-links/email-tokens';
import type {
  NewPasskey,
  PasskeyInsertion,
  PasskeyRemoval,
  StoredChallenge,
  StoredPasskey,
} from '../passkeys/passkeys';
import type { PruneResult } from '../revocation/housekeeping';
import type {
  CredentialChange,
  CredentialChanged,
  RotationRequest,
  RotationResult,
  SessionLifetimes,
  SessionReproof,
  SessionStatus,
  SessionSubject,
  SessionSummary,
  StartedSession,
} from '../sessions/sessions';
import type { TotpUse } from '../two-factor/fragments';
import type { PendingSignInAttempt, PendingSignInRecord, PendingSignInRow, TotpState } from '../two-factor/two-factor';

/**
 * Everything the auth core keeps, behind one asynchronous interface that each database engine
 * implements (`createSqliteStore` from `@tessera/auth/sqlite`, `createPgStore` from
 * `@tessera/auth/postgres`). `createAuth` and everything above it talk to this only, so no
 * procedure or feature branches on the engine. Times are epoch ms.
 *
 * Every method is one of the domain folders' operations, the same on every engine; a method
 * that is a multi-statement rule has its contract documented on the rule, written once:
 * sessions/rotation.ts and sessions/stamp.ts (sessions and the security stamp),
 * mailed-links/operations.ts and mailed-links/outbox.ts, passkeys/operations.ts, two-factor/operations.ts,
 * accounts/operations.ts, revocation/operations.ts (pruning), tokens/signing-key-rules.ts.
 * Each engine supplies only the single statements (`steps.ts` in each folder) and their locks.
 * store/store.test.ts checks every method on every engine.
 */
export interface AuthStore {
  /** Throws `AuthError('EMAIL_TAKEN')` when the (normalised) email has an account. */
  insertUser(input: { email: string; name: string | null; passwordHash: string }, now: number): Promise<User>;
  findUserByEmail(email: string): Promise<(User & StoredCredential) | null>;
  findUserById(id: string): Promise<User | null>;
  /** The password hash and the security stamp read with it. */
  findCredential(userId: string): Promise<StoredCredential | null>;
  listUsers(
    page: { limit: number; after: UsersCursor | null },
    now: number,
  ): Promise<{ items: UserOverview[]; next: UsersCursor | null }>;

  /**
   * Only while the user's security stamp is `input.credentialVersion` (else `AuthError`
   * INVALID_CREDENTIALS), reading the user in the same transaction (the user's row locked).
   */
  startSession(lifetimes: SessionLifetimes, input: SessionSubject, now: number): Promise<StartedSession>;
  /** One atomic exchange: compare-and-swap, reuse detection and the grace window (docs/refresh.md). */
  rotateRefreshToken(lifetimes: SessionLifetimes, request: RotationRequest, now: number): Promise<RotationResult>;
  /** False when the session is not the user's, does not exist, or had already ended. */
  revokeSession(input: { sessionId: string; userId: string; reason: string }, now: number): Promise<boolean>;
  /**
   * One transaction: applies the change, moves the security stamp on and ends every session
   * (the user's row locked). Null when there is no such user or the stamp is not `expectedVersion`.
   */
  endAllSessions(change: CredentialChange, now: number): Promise<CredentialChanged | null>;
  listSessions(userId: string, now: number): Promise<SessionSummary[]>;
  /** A fresh proof in a live session, only while the stamp is unchanged (the user's row locked). */
  recordProof(proof: SessionReproof, now: number): Promise<boolean>;
  sessionStatus(input: { sessionId: string; userId: string }, now: number): Promise<SessionStatus>;

  /** Supersedes the user's unused tokens of the purpose, stores this one and queues its mail: one transaction. */
  issueEmailToken(token: NewEmailToken, now: number): Promise<void>;
  /** Whether the token would be accepted, without using it. */
  checkEmailToken(purpose: EmailTokenPurpose, tokenHash: string, now: number): Promise<EmailTokenCheck>;
  /** Uses the token up if it is accepted; of two requests with one token, one wins. */
  useEmailToken(purpose: EmailTokenPurpose, tokenHash: string, now: number): Promise<EmailTokenCheck>;
  markEmailVerified(userId: string, now: number): Promise<void>;
  /** Queues a sealed notice (no token) for the mail sender. */
  queueMail(mail: NewEmailToken['mail'], now: number): Promise<void>;

  /**
   * Counted and inserted in one transaction (the user's row locked): refused when the id is taken
   * (by anyone) or the user holds `limit`, and ('session_ended') unless `sessionId`, the adding
   * session, is still live, checked in the same transaction.
   */
  insertPasskey(passkey: NewPasskey, limit: number, now: number, sessionId: string): Promise<PasskeyInsertion>;
  /** The user's passkeys, oldest first. */
  listPasskeys(userId: string): Promise<StoredPasskey[]>;
  findPasskeyByCredentialId(credentialId: string): Promise<StoredPasskey | null>;
  /** Only if the counter moves forward: false when the passkey is gone or its counter is already there. */
  recordPasskeyUse(use: { id: string; counter: number }, now: number): Promise<boolean>;
  /** One transaction with the check that it is not the account's last way to sign in. */
  removePasskey(input: { id: string; userId: string }): Promise<PasskeyRemoval>;
  storeChallenge(challenge: StoredChallenge, now: number): Promise<void>;
  /** Deletes and returns the challenge: of two requests answering one challenge, one gets it. */
  takeChallenge(challengeHash: string): Promise<StoredChallenge | null>;

  /** The user's TOTP secret (sealed), whether it is confirmed, and the last step used; null: no such user. */
  findTotp(userId: string): Promise<TotpState | null>;
  /** Stores a new secret to confirm, in place of an unconfirmed one; false while two-step verification is on. */
  setUnconfirmedTotpSecret(userId: string, secretSealed: string): Promise<boolean>;
  /**
   * Confirms the secret a code proved and replaces the recovery codes (their hashes), in one
   * transaction; false when the secret changed meanwhile or was confirmed already.
   */
  confirmTotp(use: TotpUse, recoveryCodeHashes: readonly string[], now: number): Promise<boolean>;
  /** Records the step of a code if it is later than the last one used, with this secret enabled: false is a replay. */
  useTotpStep(use: TotpUse): Promise<boolean>;
  /** Removes the secret and the recovery codes; false when two-step verification was not on. */
  disableTwoFactor(userId: string): Promise<boolean>;
  /** A new set of recovery codes (hashes) in place of the old, only while two-step verification is on. */
  replaceRecoveryCodes(userId: string, recoveryCodeHashes: readonly string[], now: number): Promise<boolean>;
  /** Marks the user's unused code used: of two uses, one wins. */
  useRecoveryCode(userId: string, codeHash: string, now: number): Promise<boolean>;
  /** How many of the user's recovery codes are unused. */
  countRecoveryCodes(userId: string): Promise<number>;
  createPendingSignIn(row: PendingSignInRow): Promise<void>;
  /**
   * Counts one second-step attempt on the pending sign-in, before its answer is checked: null
   * when the handle is unknown, expired, from another client or out of attempts.
   */
  countPendingSignInAttempt(attempt: PendingSignInAttempt, limit: number): Promise<PendingSignInRecord | null>;
  /** Deletes the unexpired pending sign-in and returns it: of two answers, one completes it. */
  takePendingSignIn(handleHash: string, now: number): Promise<PendingSignInRecord | null>;

  /** A sign-in, link or proof sent to a provider, until its answer comes back. */
  storeOAuthRequest(row: OAuthRequestRow): Promise<void>;
  /** Deletes and returns the request with this state: of two answers, one gets it. */
  takeOAuthRequest(stateHash: string): Promise<OAuthRequestRow | null>;
  /** Signs in (or signs up) with a proven identity: one transaction (identities/operations.ts). */
  signInWithIdentity(identity: ProvenIdentity, now: number): Promise<IdentitySignIn>;
  /** Links a proven identity to the signed-in account, while its session is live. */
  linkIdentity(
    caller: { userId: string; sessionId: string },
    identity: ProvenIdentity,
    now: number,
  ): Promise<IdentityLink>;
  /** A fresh proof through a provider: the identity must be the caller's, its session live. */
  proveWithIdentity(
    caller: { userId: string; sessionId: string },
    identity: ProvenIdentity,
    now: number,
  ): Promise<IdentityProof>;
  /** Removes a linked identity unless it is the account's last way to sign in. */
  unlinkIdentity(input: { id: string; userId: string }): Promise<IdentityRemoval>;
  /** The user's linked identities, oldest first. */
  listIdentities(userId: string): Promise<LinkedIdentity[]>;

  /**
   * Moves the account to the address a mailed link confirms: one transaction (account-life/operations.ts),
   * refused when another account has the address or may get it back.
   */
  confirmEmailChange(input: EmailChangeConfirmation, now: number): Promise<EmailChangeOutcome>;
  /** Puts the old address back through its undo link and locks the account down: one transaction. */
  undoEmailChange(tokenHash: string, now: number): Promise<EmailChangeOutcome>;
  /** Deletes the account (never the last admin): one transaction. */
  deleteAccount(
    input: { userId: string; goodbye(email: string): NewEmailToken['mail'] },
    now: number,
  ): Promise<AccountDeletion>;
  /** Whether an account other than `userId`'s has the address, or may get it back through a live undo link. */
  addressTaken(address: string, userId: string, now: number): Promise<boolean>;

  recordEvent(event: NewAuthEvent, now: number): Promise<void>;
  /** Newest first: the last `limit` (RECENT_EVENTS_LIMIT unless given). */
  listRecentEvents(userId: string, limit?: number): Promise<AuthEvent[]>;

  /** Long-ended sessions, spent throttle counters, expired challenges and pending sign-ins, in batches. */
  pruneExpired(now: number): Promise<PruneResult>;

  signingKeys: SigningKeyStore;

  /** A rate-limiter-flexible counter kept in this store, shared by every process on it. */
  rateLimiter(options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract;
}

/** A signing key as stored; `privateJwk` is sealed (SecretBox) and opened only by the ring. */
export interface StoredSigningKey {
  kid: string;
  publicJwk: string;
  privateJwk: string;
  createdAt: number;
  retiredAt: number | null;
  /** When it was distrusted (`keys:rotate -- --revoke`): its tokens are refused from then on. */
  revokedAt: number | null;
}

/** A new signing key, as the ring hands it to the store. */
export type NewSigningKey = Omit<StoredSigningKey, 'retiredAt' | 'revokedAt'>;

/**
 * The rows behind `SigningKeyRing`: what it reads and the transactions it writes. Every write
 * that changes which keys sign or verify is announced to the other processes on the database
 * where the engine can push (PostgreSQL: NOTIFY on `SIGNING_KEYS_CHANNEL`); elsewhere they see
 * it on their next poll (`RevocationReader.signingKeysVersion`).
 */
export interface SigningKeyStore {
  /** Keys still signing or retired after `retiredAfter`, newest first. */
  verifiable(retiredAfter: number): Promise<StoredSigningKey[]>;
  /**
   * In one transaction, replaces the private half of every key for which `reseal` returns a new
   * sealed value (null leaves it).
   */
  resealAll(reseal: (kid: string, privateJwk: string) => string | null): Promise<void>;
  /**
   * In one transaction: unless the active key is no longer `expectedActiveKid` (another process
   * rotated first), retires it at `key.createdAt`, inserts `key`, and deletes keys retired before
   * `deleteRetiredBefore`. Resolves to whether it did.
   */
  replaceActive(
    expectedActiveKid: string | undefined,
    key: NewSigningKey,
    deleteRetiredBefore: number,
  ): Promise<boolean>;
  /**
   * In one transaction, whichever key is active: retires and revokes every key not yet revoked,
   * at `key.createdAt`, inserts `key` as the only one trusted, and deletes keys retired before
   * `deleteRetiredBefore`. Resolves to the kids it revoked.
   */
  replaceRevokingAll(key: NewSigningKey, deleteRetiredBefore: number): Promise<string[]>;
}
