import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { features, migrationsFrom } from './features';

/** Where the bundle (`npm run build`, turbo builds it before the tests) keeps the migrations. */
const BUNDLED = fileURLToPath(new URL('../dist/migrations', import.meta.url));

describe('the mounted features', () => {
  /** @see issue 26: a feature whose migrations were not copied into the bundle failed only at start. */
  it('each has its migrations on both engines in the bundle, where the built server looks', () => {
    const bundled = migrationsFrom(BUNDLED);
    expect(bundled.features.map((feature) => feature.name)).toEqual(features.map((f) => f.migrations.name));
    for (const folder of [
      bundled.migrationsFolder ?? 'missing',
      bundled.pgMigrationsFolder ?? 'missing',
      ...bundled.features.flatMap((feature) => [feature.folder, feature.pgFolder]),
    ]) {
      expect(existsSync(join(folder, 'meta', '_journal.json')), `${folder}/meta/_journal.json`).toBe(true);
    }
  });

  it('each has one name, used once: its migrations folder in the bundle and its part of the export', () => {
    const names = features.map((feature) => feature.migrations.name);
    expect(new Set(names).size).toBe(names.length);
    // It names the feature's journal table and its folders: the package's folder name.
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });
});
