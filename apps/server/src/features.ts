import { join } from 'node:path';
import type { Feature } from '@tessera/api';
import type { FeatureMigrations } from '@tessera/db';
import { notesFeature } from '@tessera/notes';

/** Every feature the server mounts, in the order their migrations apply (after the core's). */
export const features: readonly Feature[] = [notesFeature];

/**
 * Where the migrations are once bundled: `build.mjs` copies the core's to `<root>/core` and
 * `<root>/core-pg`, and each feature's to `<root>/<name>` and `<root>/<name>-pg`. Without a root
 * (tests run the sources), each package's own folders.
 *
 * @example
 * createDb(url, migrationsFrom(fileURLToPath(new URL('./migrations', import.meta.url))));
 */
export function migrationsFrom(root: string | undefined): {
  migrationsFolder?: string;
  pgMigrationsFolder?: string;
  features: FeatureMigrations[];
} {
  const migrations = features.map((feature) => feature.migrations);
  if (root === undefined) return { features: migrations };
  return {
    migrationsFolder: join(root, 'core'),
    pgMigrationsFolder: join(root, 'core-pg'),
    features: migrations.map((feature) => ({
      name: feature.name,
      folder: join(root, feature.name),
      pgFolder: join(root, `${feature.name}-pg`),
    })),
  };
}
