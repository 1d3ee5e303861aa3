// Bundles the server and our workspace packages into dist/main.js; npm dependencies stay
// external (native addons such as better-sqlite3 cannot be bundled), and the migrations are
// copied next to it.
import { cpSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
rmSync('dist', { recursive: true, force: true });
cpSync('../../packages/db/drizzle', 'dist/drizzle', { recursive: true });

/** @type {esbuild.Plugin} */
const externalizeDependencies = {
  name: 'externalize-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tessera/') ? undefined : { path: args.path, external: true },
    );
  },
};

const options = {
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [externalizeDependencies],
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
