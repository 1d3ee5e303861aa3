// Bundles the server and its command-line tools, with our workspace packages, into dist/; npm
// dependencies stay external (native addons such as better-sqlite3 cannot be bundled), and the migrations are
// copied next to it. `--watch` (npm run dev) rebuilds on change and restarts the server, which
// then trusts the Vite dev server's origin.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, watch as watchTree } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
rmSync(here('dist'), { recursive: true, force: true });
// Every migrations folder, where dist/main.js looks for them (src/features.ts: migrationsFrom):
// the core's (packages/db) as `core`, and every other package's under its folder's name, which
// is its feature's `migrations.name`. Found, not listed: a new feature has no step here to forget
// (features.test.ts checks each mounted feature's folders are in the bundle).
const packages = here('../../packages');
/** The packages with migrations of their own (the features'), by folder name. */
const featurePackages = () =>
  readdirSync(packages).filter((name) => name !== 'db' && existsSync(`${packages}/${name}/drizzle`));
function copyMigrations() {
  rmSync(here('dist/migrations'), { recursive: true, force: true });
  cpSync(`${packages}/db/drizzle`, here('dist/migrations/core'), { recursive: true });
  cpSync(`${packages}/db/drizzle-pg`, here('dist/migrations/core-pg'), { recursive: true });
  for (const name of featurePackages()) {
    cpSync(`${packages}/${name}/drizzle`, here(`dist/migrations/${name}`), { recursive: true });
    cpSync(`${packages}/${name}/drizzle-pg`, here(`dist/migrations/${name}-pg`), { recursive: true });
  }
}
copyMigrations();

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

/** The dev server: started after the first build, restarted after every later one. */
let server;
function startServer() {
  server = spawn(process.execPath, [here('dist/main.js')], {
    stdio: 'inherit',
    cwd: here('../..'), // data/ at the repository root, as with npm start
    // The page comes from Vite (apps/web/vite.config.ts), which proxies /trpc here.
    env: { PUBLIC_ORIGIN: `http://localhost:${process.env.WEB_PORT || 5173}`, ...process.env },
  });
}
function restartServer() {
  if (!server || server.exitCode !== null) return startServer();
  // The old server must release the port before the new one binds it.
  server.once('exit', startServer);
  server.kill('SIGTERM');
}

/** @type {esbuild.Plugin} */
const restartOnBuild = {
  name: 'restart-server',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length === 0) restartServer();
    });
  },
};

/**
 * A new migration (`npm run generate`) changes no source esbuild watches: copy the migrations
 * again and restart, so the server applies it at once instead of answering 500 "no such column"
 * until the next code change (issue 26). Bursts (a migration and its journal) restart once.
 */
function watchMigrations() {
  let pending;
  const changed = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      copyMigrations();
      restartServer();
    }, 200);
  };
  const folders = ['db', ...featurePackages()].flatMap((name) => [
    `${packages}/${name}/drizzle`,
    `${packages}/${name}/drizzle-pg`,
  ]);
  for (const folder of folders) watchTree(folder, { recursive: true }, changed);
}

if (watch) {
  const context = await esbuild.context({ ...options, plugins: [...options.plugins, restartOnBuild] });
  await context.watch();
  watchMigrations();
} else {
  await esbuild.build(options);
}
