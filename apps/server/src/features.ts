import { join } from 'node:path';
import type { FeatureMigrations } from '@tessera/db';
import { notesMigrations } from '@tessera/notes';

/** Every feature's tables, in the order their migrations apply (after the core's). */
export const featureMigrations: readonly FeatureMigrations[] = [notesMigrations];

/**
 * Where the migrations are once bundled: `build.mjs` copies the core's to `<root>/core` and each
 * feature's to `<root>/<name>`. Without a root (tests run the sources), each package's own folder.
 *
 * @example
 * createDb(url, migrationsFrom(fileURLToPath(new URL('./migrations', import.meta.url))));
 */
export function migrationsFrom(root: string | undefined): { migrationsFolder?: string; features: FeatureMigrations[] } {
  if (root === undefined) return { features: [...featureMigrations] };
  return {
    migrationsFolder: join(root, 'core'),
    features: featureMigrations.map((feature) => ({ name: feature.name, folder: join(root, feature.name) })),
  };
}
