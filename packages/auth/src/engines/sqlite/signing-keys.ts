import { signingKeys, type TesseraDb } from '@tessera/db';
import { and, desc, eq, gt, isNotNull, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { SigningKeyStore } from '../../store/store';

/**
 * The signing keys' rows on SQLite. Every write takes the write lock first (IMMEDIATE), so two
 * processes rotating at once cannot both replace the key they saw. Other processes learn of a
 * change on their next revocation poll (`signingKeysVersion`).
 *
 * @example
 * const ring = await SigningKeyRing.open({ store: sqliteSigningKeys(db), box, ... });
 */
export function sqliteSigningKeys(db: TesseraDb): SigningKeyStore {
  return {
    async verifiable(retiredAfter) {
      return db
        .select()
        .from(signingKeys)
        .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, retiredAfter)))
        .orderBy(desc(signingKeys.createdAt))
        .all();
    },

    async resealAll(reseal) {
      db.transaction(
        (tx) => {
          const rows = tx.select({ kid: signingKeys.kid, privateJwk: signingKeys.privateJwk }).from(signingKeys).all();
          for (const { kid, privateJwk } of rows) {
            const resealed = reseal(kid, privateJwk);
            if (resealed === null) continue;
            tx.update(signingKeys).set({ privateJwk: resealed }).where(eq(signingKeys.kid, kid)).run();
          }
        },
        { behavior: 'immediate' },
      );
    },

    async replaceActive(expectedActiveKid, key, deleteRetiredBefore) {
      return db.transaction(
        (tx) => {
          const current = tx
            .select({ kid: signingKeys.kid })
            .from(signingKeys)
            .where(isNull(signingKeys.retiredAt))
            .orderBy(desc(signingKeys.createdAt))
            .get();
          if (current?.kid !== expectedActiveKid) return false;
          tx.update(signingKeys).set({ retiredAt: key.createdAt }).where(isNull(signingKeys.retiredAt)).run();
          tx.insert(signingKeys).values(key).run();
          tx.delete(signingKeys).where(retiredBefore(deleteRetiredBefore)).run();
          return true;
        },
        { behavior: 'immediate' },
      );
    },

    async replaceRevokingAll(key, deleteRetiredBefore) {
      return db.transaction(
        (tx) => {
          tx.update(signingKeys).set({ retiredAt: key.createdAt }).where(isNull(signingKeys.retiredAt)).run();
          // Long-retired keys go first: they verify nothing, so they are not reported as revoked.
          tx.delete(signingKeys).where(retiredBefore(deleteRetiredBefore)).run();
          const revoked = tx
            .update(signingKeys)
            .set({ revokedAt: key.createdAt })
            .where(isNull(signingKeys.revokedAt))
            .returning({ kid: signingKeys.kid })
            .all();
          tx.insert(signingKeys).values(key).run();
          return revoked.map((row) => row.kid);
        },
        { behavior: 'immediate' },
      );
    },
  };
}

/** Keys retired before `before`: no token they signed can still be live. */
const retiredBefore = (before: number): SQL | undefined =>
  and(isNotNull(signingKeys.retiredAt), lt(signingKeys.retiredAt, before));

/**
 * The signing keys' version (see `RevocationReader.signingKeysVersion`): every key with its
 * retirement and revocation, in one string. The table holds a handful of rows. Raw SQL, as the
 * SQLite worker runs it too.
 */
export const SIGNING_KEYS_VERSION_SQL =
  "select coalesce(group_concat(kid || ':' || ifnull(retired_at, '') || ':' || ifnull(revoked_at, ''), ' ' order by kid), '') as version from signing_keys";

export function signingKeysVersion(db: TesseraDb): string {
  return db.$client.prepare<[], { version: string }>(SIGNING_KEYS_VERSION_SQL).get()?.version ?? '';
}
