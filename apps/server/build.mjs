// Bundles the server and its command-line tools, with our workspace packages, into dist/; npm
// dependencies stay external (native addons such as better-sqlite3 cannot be bundled), and the migrations are
// copied next to it. `--watch` (npm run dev) rebuilds on change and restarts the server, which
// then trusts the Vite dev server's origin.
import { spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
rmSync(here('dist'), { recursive: true, force: true });
// Every migrations folder, where dist/main.js looks for them (src/features.ts: migrationsFrom).
cpSync(here('../../packages/db/drizzle'), here('dist/migrations/core'), { recursive: true });
cpSync(here('../../packages/db/drizzle-pg'), here('dist/migrations/core-pg'), { recursive: true });
cpSync(here('../../packages/notes/drizzle'), here('dist/migrations/notes'), { recursive: true });
cpSync(here('../../packages/notes/drizzle-pg'), here('dist/migrations/notes-pg'), { recursive: true });

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
  // The server, and the command-line tools that share its code (`npm run keys:rotate`).
  entryPoints: [here('src/main.ts'), here('src/rotate-signing-key.ts'), here('src/set-user-role.ts')],
  outdir: here('dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [externalizeDependencies],
};

/** @type {esbuild.Plugin} */
const restartServer = {
  name: 'restart-server',
  setup(build) {
    let server;
    const start = () => {
      server = spawn(process.execPath, [here('dist/main.js')], {
        stdio: 'inherit',
        cwd: here('../..'), // data/ at the repository root, as with npm start
        // The page comes from Vite (apps/web/vite.config.ts), which proxies /trpc here.
        env: { PUBLIC_ORIGIN: `http://localhost:${process.env.WEB_PORT || 5173}`, ...process.env },
      });
    };
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      if (!server || server.exitCode !== null) return start();
      // The old server must release the port before the new one binds it.
      server.once('exit', start);
      server.kill('SIGTERM');
    });
  },
};

if (watch) {
  const context = await esbuild.context({ ...options, plugins: [...options.plugins, restartServer] });
  await context.watch();
} else {
  await esbuild.build(options);
}
