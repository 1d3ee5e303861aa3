// `npm run keys:rotate`, `npm run user:role` (and any later operator command): runs the server's
// bundled tool at once. It rebuilds the bundle first only when it is missing or older than a
// file it is built from, so an operator never waits on a build that has nothing to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [tool, ...args] = process.argv.slice(2);
if (!tool) {
  process.stderr.write('usage: node scripts/run-tool.mjs <tool> [arguments]\n');
  process.exit(2);
}
const bundle = join(root, 'apps/server/dist', `${tool}.js`);
// Only the server's own entry points: a mistyped name must not cost a build first.
if (!existsSync(join(root, 'apps/server/src', `${tool}.ts`))) {
  process.stderr.write(`tessera: no such command: ${tool}\n`);
  process.exit(2);
}

/** Newest modification time below `path` (a file or a folder), skipping installed and built files. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file changes its folder
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** What the bundle is built from: the server's code and build script, every package and its migrations. */
const sources = () =>
  Math.max(
    newest(join(root, 'apps/server/src')),
    newest(join(root, 'apps/server/build.mjs')),
    newest(join(root, 'packages')),
  );

if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources()) {
  process.stderr.write('tessera: building the server first (its bundle is missing or older than its sources)\n');
  const build = spawnSync(process.execPath, [join(root, 'apps/server/build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [bundle, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
