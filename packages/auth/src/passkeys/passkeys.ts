import { and, asc, type Column, eq, lt, type SQL } from 'drizzle-orm';

/** How the browser can reach an authenticator (WebAuthn's AuthenticatorTransport). */
export type PasskeyTransport = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

/** A passkey as its owner sees it (`auth.passkeys.list`). Times are epoch ms. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** `multiDevice`: synced between the owner's devices (and backed up when `backedUp`). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** A passkey as the server verifies it: the public key, never anything secret. */
export interface StoredPasskey extends PasskeySummary {
  userId: string;
  /** The authenticator's credential id, base64url. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: PasskeyTransport[];
}

export type NewPasskey = Omit<StoredPasskey, 'createdAt' | 'lastUsedAt'>;

/** What a challenge was handed out for. */
export type ChallengePurpose = 'registration' | 'authentication';

/** A challenge as stored: only its hash; a registration's is bound to a user and session. */
export interface StoredChallenge {
  challengeHash: string;
  purpose: ChallengePurpose;
  userId: string | null;
  sessionId: string | null;
  expiresAt: number;
}

/** Why removing a passkey was refused. */
export type PasskeyRemoval = 'removed' | 'not_found' | 'last_sign_in_method';

/** What became of a new passkey: kept, or why not. */
export type PasskeyInsertion = 'inserted' | 'already_registered' | 'too_many' | 'session_ended';

/**
 * Rows to the shapes above, on every engine: an unknown device type (a newer library's) reads as
 * a single-device key, and transports are kept only if they are WebAuthn's.
 */
export function toPasskeySummary(row: {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  deviceType: string;
  backedUp: boolean;
}): PasskeySummary {
  const { id, name, createdAt, lastUsedAt, backedUp } = row;
  return {
    id,
    name,
    createdAt,
    lastUsedAt,
    backedUp,
    deviceType: row.deviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  };
}

const TRANSPORTS: readonly string[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

/** A passkey's row as the rules read it. */
export type PasskeyRecord = Parameters<typeof toPasskeySummary>[0] & {
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string | null;
};

export function toStoredPasskey(row: PasskeyRecord): StoredPasskey {
  const parsed: unknown = row.transports === null ? [] : JSON.parse(row.transports);
  return { ...row, ...toPasskeySummary(row), transports: toTransports(Array.isArray(parsed) ? parsed : []) };
}

/** The WebAuthn transports among `values`; anything else (a newer browser's, or junk) is dropped. */
export function toTransports(values: readonly unknown[]): PasskeyTransport[] {
  return values.filter((value): value is PasskeyTransport => typeof value === 'string' && TRANSPORTS.includes(value));
}

/** The row values of a new passkey, on every engine. */
export type PasskeyRow = ReturnType<typeof passkeyRow>;
export function passkeyRow(passkey: NewPasskey, now: number) {
  return {
    id: passkey.id,
    userId: passkey.userId,
    credentialId: passkey.credentialId,
    publicKey: passkey.publicKey,
    counter: passkey.counter,
    transports: passkey.transports.length > 0 ? JSON.stringify(passkey.transports) : null,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
    name: passkey.name,
    createdAt: now,
    lastUsedAt: null,
  };
}

/**
 * The counter rule (WebAuthn §6.1.1): an authenticator that keeps a counter must show a larger
 * one each time; a smaller or equal one means the key may have been cloned. Authenticators that
 * keep none (synced passkeys) always send 0.
 */
export function counterRegressed(stored: number, presented: number): boolean {
  return (stored > 0 || presented > 0) && presented <= stored;
}

type Has<K extends string> = Record<K, Column>;

/** The passkey `id`, if it is the user's. */
export function passkeyOf(t: Has<'id' | 'userId'>, passkey: { id: string; userId: string }): SQL | undefined {
  return and(eq(t.id, passkey.id), eq(t.userId, passkey.userId));
}

/** The order passkeys are listed in: oldest first. */
export function oldestPasskeysFirst(t: Has<'createdAt' | 'id'>): SQL[] {
  return [asc(t.createdAt), asc(t.id)];
}

/** A use recorded: the new counter and the time, where {@link counterMovesForward} allows. */
export function passkeyUse(t: Has<'id' | 'counter'>, use: { id: string; counter: number }, now: number) {
  return {
    set: { counter: use.counter, lastUsedAt: now },
    where: and(eq(t.id, use.id), counterMovesForward(t.counter, use.counter)),
  };
}

/** The stored `counter` may become `presented` (the SQL side of `counterRegressed`), on every engine. */
export function counterMovesForward(counter: Column, presented: number): SQL {
  return presented === 0 ? eq(counter, 0) : lt(counter, presented);
}

/** A challenge's row as the rules read it. */
export interface ChallengeRecord {
  challengeHash: string;
  purpose: string;
  userId: string | null;
  sessionId: string | null;
  expiresAt: number;
}

/** A challenge's row. */
export function challengeRow(challenge: StoredChallenge, now: number) {
  const { challengeHash, purpose, userId, sessionId, expiresAt } = challenge;
  return { challengeHash, purpose, userId, sessionId, expiresAt, createdAt: now };
}
export type ChallengeRow = ReturnType<typeof challengeRow>;

export function toStoredChallenge(row: ChallengeRecord): StoredChallenge {
  return {
    challengeHash: row.challengeHash,
    purpose: row.purpose === 'registration' ? 'registration' : 'authentication',
    userId: row.userId,
    sessionId: row.sessionId,
    expiresAt: row.expiresAt,
  };
}
