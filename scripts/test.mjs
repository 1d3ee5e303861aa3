// `npm test`: lint, then every package's typecheck and tests through turbo, then one plain line
// that sums every suite ("N passed, N failed") so CI can count them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const REPORT = '.vitest-report.json';
const workspaces = ['apps', 'packages'].flatMap((group) =>
  existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : [],
);
for (const dir of workspaces) rmSync(join(dir, REPORT), { force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;

const lint = run('npx', ['biome', 'check', '.']);
const typecheck = run('npx', ['turbo', 'run', 'typecheck', '--continue', '--output-logs=errors-only']);
// One package's suite at a time: the browser tests and the timing-sensitive security tests must
// not share two cores with another package's suite. Every test and hook may take two minutes: a
// test that spawns servers and hashes with argon2id takes seconds on an idle 2-core machine, and
// several times that when the machine is busy with other work (another `npm test`, say). Tests
// wait for conditions, never for a fixed time, so a generous limit costs nothing when they pass.
const limits = ['--testTimeout=120000', '--hookTimeout=120000'];
const suites = run('npx', [
  'turbo',
  'run',
  'test',
  '--continue',
  '--concurrency=1',
  '--output-logs=full',
  '--',
  ...limits,
]);
const tests = typecheck || suites;

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of workspaces) {
  const file = join(dir, REPORT);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
// A suite that crashed before reporting, a type error or a lint error is a failure too.
if ((lint !== 0 || tests !== 0) && failed === 0) failed = 1;
// CI runs every suite, the PostgreSQL ones included (.ci/run sets TEST_DATABASE_URL): a skip there is a failure.
const skipsFail = process.env.CI === 'true' && skipped > 0;
if (skipsFail) console.error(`\n${skipped} tests were skipped: CI must run them all`);

console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(lint || tests || (failed > 0 || skipsFail ? 1 : 0));
