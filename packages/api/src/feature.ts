import type { FeatureMigrations, TesseraDb, TesseraPgDb } from '@tessera/db';
import type { FeatureStores } from './context';

/**
 * A feature package as the server mounts it: its tables' migrations on each engine, its stores
 * built for the engine the server runs on, and its part in the account's life. The server picks
 * the engine once; the feature's procedures only ever see `ctx.stores`.
 *
 * @example
 * export const notesFeature: Feature = {
 *   migrations: { name: 'notes', folder, pgFolder },
 *   stores: { sqlite: (db) => ({ notes: createSqliteNotesStore(db) }), postgres: (db) => ({ notes: createPgNotesStore(db) }) },
 *   account: {
 *     exportUserData: async (stores, userId) => ({ notes: await allNotesOf(stores.notes, userId) }),
 *     deleteUserData: (stores, userId) => stores.notes.deleteAllOf(userId),
 *   },
 * };
 */
export interface Feature {
  migrations: FeatureMigrations;
  stores: {
    sqlite(db: TesseraDb): Partial<FeatureStores>;
    postgres(db: TesseraPgDb): Partial<FeatureStores>;
  };
  /** What the feature does for the account as a whole. Required: a feature cannot forget it. */
  account: {
    /**
     * Everything the user keeps in this feature, as plain JSON, for `auth.account.export` (under
     * the feature's name): their own words and times, never a secret, a hash or another user's data.
     */
    exportUserData(stores: FeatureStores, userId: string): Promise<unknown>;
    /**
     * Deletes every row the user keeps in this feature, once the account is deleted (its sessions
     * have ended by then). Must be safe to run twice. The feature's tables should also reference
     * `users.id` with `ON DELETE CASCADE`, so anything written by a request already in flight goes
     * when housekeeping deletes the account's row a day later.
     */
    deleteUserData(stores: FeatureStores, userId: string): Promise<void>;
  };
}

/**
 * The stores of every mounted feature, for the context. Each feature provides its own entries;
 * together the server's features provide them all (the app router mounts the same features, so
 * a procedure never reaches for a store no feature built).
 *
 * @example
 * const stores = featureStores(features.map((feature) => feature.stores.sqlite(db)));
 */
export function featureStores(parts: readonly Partial<FeatureStores>[]): FeatureStores {
  return Object.assign({}, ...parts) as FeatureStores;
}
