import { signingKeys, type TesseraDb } from '@tessera/db';
import { and, desc, eq, gt, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { SigningKeyStore } from './store';

/**
 * The signing keys' rows on SQLite. Both writes take the write lock first (IMMEDIATE), so two
 * processes rotating at once cannot both replace the key they saw.
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
          tx.delete(signingKeys)
            .where(and(isNotNull(signingKeys.retiredAt), lt(signingKeys.retiredAt, deleteRetiredBefore)))
            .run();
          return true;
        },
        { behavior: 'immediate' },
      );
    },
  };
}
