import { signingKeys, type TesseraDb } from '@tessera/db';
import { eq, isNull } from 'drizzle-orm';
import { immediate } from '../../store/step';
import { newestFirst, privateKeyFields, retiredBefore, signing, stillVerifying } from '../../tokens/signing-key-rules';
import type { KeySteps } from '../../tokens/steps';

/**
 * The signing keys' statements on SQLite. The ring's lock is the write transaction itself
 * (IMMEDIATE): no step takes one. Nothing is announced: other processes learn of a change on
 * their next revocation poll (`signingKeysVersion`).
 *
 * @example
 * const keys = signingKeyOperations(sqliteEngine(db, sqliteKeySteps(db)));
 */
export function sqliteKeySteps(db: TesseraDb): KeySteps {
  const t = signingKeys;
  return {
    lockRing: () => immediate(() => undefined),
    announce: () => immediate(() => undefined),
    verifiable: (retiredAfter) =>
      immediate(() => db.select().from(t).where(stillVerifying(t, retiredAfter)).orderBy(newestFirst(t)).all()),
    privateKeys: () => immediate(() => db.select(privateKeyFields(t)).from(t).all()),
    setPrivateKey: (kid, privateJwk) => immediate(() => db.update(t).set({ privateJwk }).where(eq(t.kid, kid)).run()),
    activeKey: () =>
      immediate(() => db.select({ kid: t.kid }).from(t).where(signing(t)).orderBy(newestFirst(t)).limit(1).all()),
    retireActive: (at) => immediate(() => db.update(t).set({ retiredAt: at }).where(signing(t)).run()),
    insert: (key) => immediate(() => db.insert(t).values(key).run()),
    deleteRetiredBefore: (before) => immediate(() => db.delete(t).where(retiredBefore(t, before)).run()),
    revokeAll: (at) =>
      immediate(() => db.update(t).set({ revokedAt: at }).where(isNull(t.revokedAt)).returning({ kid: t.kid }).all()),
  };
}
