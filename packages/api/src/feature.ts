import type { FeatureMigrations, TesseraDb, TesseraPgDb } from '@tessera/db';
import type { FeatureStores } from './context';

/**
 * A feature package as the server mounts it: its tables' migrations on each engine, and its
 * stores built for the engine the server runs on. The server picks the engine once; the
 * feature's procedures only ever see `ctx.stores`.
 *
 * @example
 * export const notesFeature: Feature = {
 *   migrations: { name: 'notes', folder, pgFolder },
 *   stores: { sqlite: (db) => ({ notes: createSqliteNotesStore(db) }), postgres: (db) => ({ notes: createPgNotesStore(db) }) },
 * };
 */
export interface Feature {
  migrations: FeatureMigrations;
  stores: {
    sqlite(db: TesseraDb): Partial<FeatureStores>;
    postgres(db: TesseraPgDb): Partial<FeatureStores>;
  };
}
