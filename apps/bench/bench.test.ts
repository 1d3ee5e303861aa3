import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('./bench.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tessera-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The PostgreSQL run needs a server (`TEST_DATABASE_URL`, which CI sets): without one it is
// skipped here, but in CI (CI=true) it fails, as every PostgreSQL suite does: CI skips nothing.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;
const SKIP_POSTGRES = TEST_DATABASE_URL === null && process.env.CI !== 'true';
if (TEST_DATABASE_URL === null) console.warn('TEST_DATABASE_URL is not set: the PostgreSQL benchmark is skipped');

const ROWS = [
  'tessera-ping',
  'tessera-me',
  'tessera-me-dpop',
  'tessera-me-many',
  'tessera-refresh',
  'peer-trpc-public',
  'peer-trpc-session',
  'peer-express-session',
  'peer-better-auth',
  'peer-better-auth-cookie-cache',
];

type Row = { id: string; rps: number; cpuUs: number; cpuDatabaseUs: number; non2xx: number; errors: number };

/** Runs the benchmark on `engine` for a second per scenario, with a few users, into `out`. */
async function bench(engine: 'sqlite' | 'postgres') {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_DB: engine,
    BENCH_SECONDS: '1',
    BENCH_ROUNDS: '1',
    // Enough to exercise the many-users scenario; the real run uses more tokens than the cache holds.
    BENCH_USERS: '4',
    BENCH_TOKENS: '40',
    BENCH_OUT: out,
  };
  if (engine === 'postgres') env.BENCH_DATABASE_URL = TEST_DATABASE_URL ?? '';
  const child = spawn(process.execPath, [BENCH], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, output).toBe(0);

  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    engines: Record<string, { rows: Row[] }>;
  };
  const rows = results.engines[engine]?.rows ?? [];
  expect(rows.map((row) => row.id)).toEqual(ROWS);
  for (const row of rows) {
    expect(row.rps, row.id).toBeGreaterThan(0);
    expect(row.non2xx + row.errors, row.id).toBe(0);
    expect(row.cpuUs, row.id).toBeGreaterThan(0);
  }
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  expect(readme).toContain('## JWT or session token?');
  expect(readme).toContain(engine === 'postgres' ? '## PostgreSQL' : '## SQLite');
  expect(existsSync(join(out, 'ratios.svg'))).toBe(true);
  expect(existsSync(join(out, 'cpu.svg'))).toBe(true);
  return rows;
}

/**
 * The benchmark itself is not a test; this keeps it from rotting: every scenario, peers and the
 * browser included, runs for one second, and the report is written (to a temporary folder).
 */
describe('npm run bench (smoke)', () => {
  it('runs every scenario on SQLite and writes the report, the charts and the raw numbers', {
    timeout: 180_000,
  }, async () => {
    await bench('sqlite');
  });

  it.skipIf(SKIP_POSTGRES)(
    'runs every scenario on PostgreSQL (BENCH_DB=postgres), the database backends counted',
    { timeout: 180_000 },
    async () => {
      if (TEST_DATABASE_URL === null) {
        throw new Error('TEST_DATABASE_URL is not set: CI runs the PostgreSQL benchmark, never skips it');
      }
      const rows = await bench('postgres');
      // Every server but the public query's reads its database: its backends' CPU is counted.
      const session = rows.find((row) => row.id === 'peer-trpc-session');
      expect(session?.cpuDatabaseUs).toBeGreaterThan(0);
      // Both engines in one report.
      expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('## SQLite');
    },
  );
});
