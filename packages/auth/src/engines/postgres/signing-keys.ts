import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { and, desc, eq, gt, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { SigningKeyStore } from '../../store/store';
import { SIGNING_KEYS_CHANNEL } from './revocation-feed';

const { signingKeys } = pgSchema;

/**
 * Serialises the key ring's writes across every instance on the database (an arbitrary, fixed
 * key: "keys" in ASCII), for the length of the transaction. Row locks cannot do it: the first
 * start of an empty database has no row to lock.
 */
const KEY_RING_LOCK_KEY = 0x6b657973;

/**
 * The signing keys' rows on PostgreSQL; see `sqliteSigningKeys` for the contract. A write that
 * changes the keys announces it on {@link SIGNING_KEYS_CHANNEL}, delivered at its commit: every
 * instance reloads its keys at once (a retired or revoked key stops being trusted everywhere).
 *
 * @example
 * const ring = await SigningKeyRing.open({ store: pgSigningKeys(db), box, ... });
 */
export function pgSigningKeys(db: TesseraPgDb): SigningKeyStore {
  return {
    verifiable(retiredAfter) {
      return db
        .select()
        .from(signingKeys)
        .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, retiredAfter)))
        .orderBy(desc(signingKeys.createdAt));
    },

    async resealAll(reseal) {
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${KEY_RING_LOCK_KEY})`);
        const rows = await tx.select({ kid: signingKeys.kid, privateJwk: signingKeys.privateJwk }).from(signingKeys);
        for (const { kid, privateJwk } of rows) {
          const resealed = reseal(kid, privateJwk);
          if (resealed === null) continue;
          await tx.update(signingKeys).set({ privateJwk: resealed }).where(eq(signingKeys.kid, kid));
        }
      });
    },

    replaceActive(expectedActiveKid, key, deleteRetiredBefore) {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${KEY_RING_LOCK_KEY})`);
        const [current] = await tx
          .select({ kid: signingKeys.kid })
          .from(signingKeys)
          .where(isNull(signingKeys.retiredAt))
          .orderBy(desc(signingKeys.createdAt))
          .limit(1);
        if (current?.kid !== expectedActiveKid) return false;
        await tx.update(signingKeys).set({ retiredAt: key.createdAt }).where(isNull(signingKeys.retiredAt));
        await tx.insert(signingKeys).values(key);
        await tx.delete(signingKeys).where(retiredBefore(deleteRetiredBefore));
        await tx.execute(announce);
        return true;
      });
    },

    replaceRevokingAll(key, deleteRetiredBefore) {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${KEY_RING_LOCK_KEY})`);
        await tx.update(signingKeys).set({ retiredAt: key.createdAt }).where(isNull(signingKeys.retiredAt));
        // Long-retired keys go first: they verify nothing, so they are not reported as revoked.
        await tx.delete(signingKeys).where(retiredBefore(deleteRetiredBefore));
        const revoked = await tx
          .update(signingKeys)
          .set({ revokedAt: key.createdAt })
          .where(isNull(signingKeys.revokedAt))
          .returning({ kid: signingKeys.kid });
        await tx.insert(signingKeys).values(key);
        await tx.execute(announce);
        return revoked.map((row) => row.kid);
      });
    },
  };
}

/** Keys retired before `before`: no token they signed can still be live. */
const retiredBefore = (before: number): SQL | undefined =>
  and(isNotNull(signingKeys.retiredAt), lt(signingKeys.retiredAt, before));

/** Tells every listening instance to reload its keys; PostgreSQL delivers it at commit. */
const announce = sql`select pg_notify(${SIGNING_KEYS_CHANNEL}, '')`;
