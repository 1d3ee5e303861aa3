import { and, asc, type Column, desc, gt, isNotNull, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { NewSigningKey, SigningKeyStore } from '../store/store';
import type { KeySteps } from './steps';

/**
 * The signing keys' rows, written once for every engine: each write is one transaction over the
 * engine's {@link KeySteps}, taking the key ring's lock first, so two processes rotating at once
 * cannot both replace the key they saw, and announcing what it changed.
 *
 * @example
 * const ring = await SigningKeyRing.open({ store: signingKeyOperations(engine), box, ... });
 */
export function signingKeyOperations(engine: Engine<KeySteps>): SigningKeyStore {
  return {
    verifiable: (retiredAfter) => engine.read((steps) => steps.verifiable(retiredAfter)),
    resealAll: (reseal) => engine.write((steps) => resealAll(steps, reseal)),
    replaceActive: (expectedActiveKid, key, deleteRetiredBefore) =>
      engine.write((steps) => replaceActive(steps, expectedActiveKid, key, deleteRetiredBefore)),
    replaceRevokingAll: (key, deleteRetiredBefore) =>
      engine.write((steps) => replaceRevokingAll(steps, key, deleteRetiredBefore)),
  };
}

/** See `SigningKeyStore.resealAll`. Resealing changes no key's standing: nothing to announce. */
function* resealAll(steps: KeySteps, reseal: (kid: string, privateJwk: string) => string | null): Step<void> {
  yield* steps.lockRing();
  for (const { kid, privateJwk } of yield* steps.privateKeys()) {
    const resealed = reseal(kid, privateJwk);
    if (resealed !== null) yield* steps.setPrivateKey(kid, resealed);
  }
}

/** See `SigningKeyStore.replaceActive`: a compare-and-swap on the active key, under the ring's lock. */
function* replaceActive(
  steps: KeySteps,
  expectedActiveKid: string | undefined,
  key: NewSigningKey,
  deleteRetiredBefore: number,
): Step<boolean> {
  yield* steps.lockRing();
  const [current] = yield* steps.activeKey();
  if (current?.kid !== expectedActiveKid) return false;
  yield* steps.retireActive(key.createdAt);
  yield* steps.insert(key);
  yield* steps.deleteRetiredBefore(deleteRetiredBefore);
  yield* steps.announce();
  return true;
}

/** See `SigningKeyStore.replaceRevokingAll`. */
function* replaceRevokingAll(steps: KeySteps, key: NewSigningKey, deleteRetiredBefore: number): Step<string[]> {
  yield* steps.lockRing();
  yield* steps.retireActive(key.createdAt);
  // Long-retired keys go first: they verify nothing, so they are not reported as revoked.
  yield* steps.deleteRetiredBefore(deleteRetiredBefore);
  const revoked = yield* steps.revokeAll(key.createdAt);
  yield* steps.insert(key);
  yield* steps.announce();
  return revoked.map((row) => row.kid);
}

/** The signing keys' columns, as every engine's table has them. */
interface KeyColumns {
  kid: Column;
  privateJwk: Column;
  createdAt: Column;
  retiredAt: Column;
  revokedAt: Column;
}

/** Keys that still sign, or were retired after `retiredAfter`. */
export const stillVerifying = (t: KeyColumns, retiredAfter: number): SQL | undefined =>
  or(isNull(t.retiredAt), gt(t.retiredAt, retiredAfter));

/** Keys retired before `before`: no token they signed can still be live. */
export const retiredBefore = (t: KeyColumns, before: number): SQL | undefined =>
  and(isNotNull(t.retiredAt), lt(t.retiredAt, before));

/** The key that signs is the newest not retired. */
export const signing = (t: KeyColumns): SQL => isNull(t.retiredAt);
export const newestFirst = (t: KeyColumns): SQL => desc(t.createdAt);
export const byKid = (t: KeyColumns): SQL => asc(t.kid);

export const privateKeyFields = <T extends KeyColumns>(t: T): Pick<T, 'kid' | 'privateJwk'> => ({
  kid: t.kid,
  privateJwk: t.privateJwk,
});

/** What of a key changes the keys' version: it is added, retired, revoked or deleted. */
export interface KeyState {
  kid: string;
  retiredAt: number | null;
  revokedAt: number | null;
}

export const keyStateFields = <T extends KeyColumns>(t: T): Pick<T, 'kid' | 'retiredAt' | 'revokedAt'> => ({
  kid: t.kid,
  retiredAt: t.retiredAt,
  revokedAt: t.revokedAt,
});

/**
 * The signing keys' version (see `RevocationReader.signingKeysVersion`): every key with its
 * retirement and revocation, in one string, from the rows in kid order. The table holds a
 * handful of rows.
 */
export const keysVersion = (keys: KeyState[]): string =>
  keys.map((key) => `${key.kid}:${key.retiredAt ?? ''}:${key.revokedAt ?? ''}`).join(' ');
