import { passkeys, sessions, type TesseraDb, users, webauthnChallenges } from '@tessera/db';
import { and, asc, type Column, count, eq, lt, type SQL, sql } from 'drizzle-orm';
import { liveSessionOf } from '../engines/sqlite/sessions';

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

export function toStoredPasskey(
  row: Parameters<typeof toPasskeySummary>[0] & {
    userId: string;
    credentialId: string;
    publicKey: string;
    counter: number;
    transports: string | null;
  },
): StoredPasskey {
  const parsed: unknown = row.transports === null ? [] : JSON.parse(row.transports);
  return { ...row, ...toPasskeySummary(row), transports: toTransports(Array.isArray(parsed) ? parsed : []) };
}

/** The WebAuthn transports among `values`; anything else (a newer browser's, or junk) is dropped. */
export function toTransports(values: readonly unknown[]): PasskeyTransport[] {
  return values.filter((value): value is PasskeyTransport => typeof value === 'string' && TRANSPORTS.includes(value));
}

/** The row values of a new passkey, on every engine. */
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

/**
 * Adds a passkey unless its credential id is registered already (to anyone) or the user holds
 * `limit` already: counted and inserted in one IMMEDIATE transaction, so racing registrations
 * cannot overshoot.
 */
export function insertPasskey(
  db: TesseraDb,
  passkey: NewPasskey,
  limit: number,
  now: number,
  sessionId: string,
): PasskeyInsertion {
  return db.transaction(
    (tx): PasskeyInsertion => {
      // Under the write lock: a credential change that ended the adding session wins.
      if (
        !tx
          .select({ id: sessions.id })
          .from(sessions)
          .where(liveSessionOf({ sessionId, userId: passkey.userId }, now))
          .get()
      ) {
        return 'session_ended';
      }
      const held = tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, passkey.userId)).get()?.n ?? 0;
      if (held >= limit) return 'too_many';
      const inserted = tx.insert(passkeys).values(passkeyRow(passkey, now)).onConflictDoNothing().run();
      return inserted.changes === 1 ? 'inserted' : 'already_registered';
    },
    { behavior: 'immediate' },
  );
}

/** The user's passkeys, oldest first. */
export function listPasskeys(db: TesseraDb, userId: string): StoredPasskey[] {
  return db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id))
    .all()
    .map(toStoredPasskey);
}

export function findPasskeyByCredentialId(db: TesseraDb, credentialId: string): StoredPasskey | null {
  const row = db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get();
  return row ? toStoredPasskey(row) : null;
}

/**
 * Records a successful use: the new counter and the time, only if the counter moves forward
 * (or the authenticator keeps none: 0 and 0). A conditional update, so of two sign-ins racing
 * with one counter value only one passes, and a higher value written second still does. False
 * when the passkey was removed or its stored counter is already at or past this one.
 */
export function recordPasskeyUse(db: TesseraDb, use: { id: string; counter: number }, now: number): boolean {
  const updated = db
    .update(passkeys)
    .set({ counter: use.counter, lastUsedAt: now })
    .where(and(eq(passkeys.id, use.id), counterMovesForward(passkeys.counter, use.counter)))
    .run();
  return updated.changes === 1;
}

/** The stored `counter` may become `presented` (the SQL side of `counterRegressed`), on every engine. */
export function counterMovesForward(counter: Column, presented: number): SQL {
  return presented === 0 ? eq(counter, 0) : lt(counter, presented);
}

/**
 * Removes one of the user's passkeys, in one transaction with the check that it is not the
 * account's last way to sign in (no password and no other passkey).
 */
export function removePasskey(db: TesseraDb, input: { id: string; userId: string }): PasskeyRemoval {
  return db.transaction(
    (tx): PasskeyRemoval => {
      const mine = and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId));
      if (!tx.select({ id: passkeys.id }).from(passkeys).where(mine).get()) return 'not_found';
      const others =
        (tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, input.userId)).get()?.n ?? 1) - 1;
      const hasPassword = tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, input.userId), sql`${users.passwordHash} <> ''`))
        .get();
      if (others === 0 && !hasPassword) return 'last_sign_in_method';
      tx.delete(passkeys).where(mine).run();
      return 'removed';
    },
    { behavior: 'immediate' },
  );
}

export function storeChallenge(db: TesseraDb, challenge: StoredChallenge, now: number): void {
  db.insert(webauthnChallenges)
    .values({ ...challenge, createdAt: now })
    .run();
}

/** Deletes the challenge and returns it: a challenge answers at most once, whatever the outcome. */
export function takeChallenge(db: TesseraDb, challengeHash: string): StoredChallenge | null {
  const row = db
    .delete(webauthnChallenges)
    .where(eq(webauthnChallenges.challengeHash, challengeHash))
    .returning()
    .get();
  return row ? toStoredChallenge(row) : null;
}

export function toStoredChallenge(row: {
  challengeHash: string;
  purpose: string;
  userId: string | null;
  sessionId: string | null;
  expiresAt: number;
}): StoredChallenge {
  return {
    challengeHash: row.challengeHash,
    purpose: row.purpose === 'registration' ? 'registration' : 'authentication',
    userId: row.userId,
    sessionId: row.sessionId,
    expiresAt: row.expiresAt,
  };
}
