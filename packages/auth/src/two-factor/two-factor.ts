import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FirstFactor } from '../accounts/events';
import { type ClientInfo, clientFingerprint } from '../sessions/client-info';

/** How long the second step of a sign-in may wait after the password was proved. */
export const PENDING_SIGN_IN_TTL_MS = 5 * 60 * 1000;
/**
 * Second-step answers a pending sign-in takes, right or wrong: five wrong codes spend it. With
 * ±1 step, each guess has 3 chances in a million; the per-account throttle bounds the rest.
 */
export const PENDING_SIGN_IN_ATTEMPTS = 5;

/** What the user's row holds of TOTP: the sealed secret (set up or confirmed), and the last step used. */
export interface TotpState {
  secretSealed: string | null;
  enabledAt: number | null;
  lastStep: number;
}

/** The context a TOTP secret is sealed in: a secret copied to another user's row does not open. */
export const totpSecretContext = (userId: string) => `users.totp_secret:${userId}`;

/** A pending sign-in as stored, and as a successful attempt finds it. */
export interface PendingSignInRecord {
  userId: string;
  credentialVersion: number;
  /** What proved the first factor: the password, or a provider (the method is it plus the second step). */
  firstFactor: FirstFactor;
}

/** A new pending sign-in: the handle goes to the client, the row (its hash) to the store. */
export function newPendingSignIn(
  subject: PendingSignInRecord,
  client: ClientInfo,
  now: number,
): { handle: string; row: PendingSignInRow } {
  const handle = randomBytes(32).toString('base64url');
  return {
    handle,
    row: {
      handleHash: hashPendingSignIn(handle),
      userId: subject.userId,
      credentialVersion: subject.credentialVersion,
      firstFactor: subject.firstFactor,
      clientHash: clientFingerprint(client),
      createdAt: now,
      expiresAt: now + PENDING_SIGN_IN_TTL_MS,
    },
  };
}

export interface PendingSignInRow {
  handleHash: string;
  userId: string;
  credentialVersion: number;
  firstFactor: FirstFactor;
  clientHash: string;
  createdAt: number;
  expiresAt: number;
}

/** What a second-step attempt presents: the handle's hash, from which client, when. */
export interface PendingSignInAttempt {
  handleHash: string;
  clientHash: string;
  now: number;
}

/** The stored form of a pending sign-in's handle (256 random bits: SHA-256 suffices). */
export function hashPendingSignIn(handle: string): string {
  return createHash('sha256').update(handle).digest('base64url');
}

/** Recovery-code rows for a new set. */
export function recoveryCodeRows(userId: string, codeHashes: readonly string[], now: number) {
  return codeHashes.map((codeHash) => ({ id: randomUUID(), userId, codeHash, createdAt: now }));
}
export type RecoveryCodeRow = ReturnType<typeof recoveryCodeRows>[number];
