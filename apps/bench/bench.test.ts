import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('./bench.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'tessera-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The benchmark itself is not a test; this keeps it from rotting: every scenario, peers and the
 * browser included, runs for one second, and the report is written (to a temporary folder).
 */
describe('npm run bench (smoke)', () => {
  it('runs every scenario and writes the report, the chart and the raw numbers', { timeout: 180_000 }, async () => {
    const child = spawn(process.execPath, [BENCH], {
      env: { ...process.env, BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      rows: { id: string; rps: number; non2xx: number; errors: number }[];
    };
    expect(results.rows.map((row) => row.id)).toEqual([
      'tessera-ping',
      'tessera-me',
      'tessera-refresh',
      'peer-trpc-public',
      'peer-trpc-session',
      'peer-express-session',
      'peer-better-auth',
      'peer-better-auth-cookie-cache',
    ]);
    for (const row of results.rows) {
      expect(row.rps, row.id).toBeGreaterThan(0);
      expect(row.non2xx + row.errors, row.id).toBe(0);
    }
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('## JWT or session token?');
    expect(existsSync(join(out, 'ratios.svg'))).toBe(true);
  });
});
