// `npm run bench`: autocannon against the real, built server (its own process, a temporary
// SQLite file), one scenario after another in one run, so the ratios compare like with like.
// It only ever talks to 127.0.0.1 and stops by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 20;

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
// Request logging would dominate what is measured: the server logs warnings only, so the port is
// chosen here rather than read from its "listening" line.
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const url = `http://127.0.0.1:${port}`;
const real = spawn(process.execPath, [fileURLToPath(new URL('../dist/main.js', import.meta.url))], {
  env: {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: join(dir, 'bench.db'),
    LOG_LEVEL: 'warn',
    // The refresh scenario presents one token again and again: keep it inside the grace window
    // (the longest allowed), and measure the work, not the brakes.
    REFRESH_REUSE_GRACE: '60',
    RATE_LIMIT: 'off',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
for (let attempt = 0; ; attempt++) {
  const up = await fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) break;
  if (attempt > 100 || real.exitCode !== null) throw new Error('the server did not start');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const json = { 'content-type': 'application/json' };
const registered = await fetch(`${url}/trpc/auth.register`, {
  method: 'POST',
  headers: json,
  body: JSON.stringify({ email: 'bench@example.com', password: 'a strong password' }),
});
const { accessToken } = (await registered.json()).result.data;
const refreshCookie = registered.headers.getSetCookie()[0]?.split(';')[0];

const scenarios = [
  { name: 'GET /healthz (baseline: one SQLite read)', path: '/healthz' },
  {
    name: 'auth.me (verify EdDSA token + user by id)',
    path: '/trpc/auth.me',
    headers: { authorization: `Bearer ${accessToken}` },
  },
  { name: 'auth.me refused (bad token, no DB)', path: '/trpc/auth.me', headers: { authorization: 'Bearer x.y.z' } },
  { name: 'GET /.well-known/jwks.json', path: '/.well-known/jwks.json' },
  {
    name: 'auth.refresh grace retry (IMMEDIATE tx + sign)',
    path: '/trpc/auth.refresh',
    method: 'POST',
    headers: { ...json, cookie: refreshCookie },
  },
];

const rows = [];
for (const scenario of scenarios) {
  const result = await autocannon({
    url: `${url}${scenario.path}`,
    method: scenario.method ?? 'GET',
    headers: scenario.headers,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  rows.push({
    scenario: scenario.name,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  });
}
const baseline = rows[0]['req/s'];
for (const row of rows) row['× baseline'] = (row['req/s'] / baseline).toFixed(2);
console.table(rows);

real.kill('SIGTERM');
await new Promise((resolve) => real.on('exit', resolve));
rmSync(dir, { recursive: true, force: true });
