// The benchmark's report, over every engine measured so far: each run writes its raw numbers
// (results-<engine>.json), then the report is written from all of them: a Markdown page with a
// section per engine and the machine it ran on, the raw numbers together (results.json), and two
// SVG bar charts, the rates as ratios (ratios.svg) and the CPU time per request (cpu.svg).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';

const TARGETS = {
  meVsPing: 0.9,
  meVsSession: 0.95,
  meVsBetterAuth: 3,
  // Issue 25: a DPoP-bound `auth.me` (one ES256 proof verified per request) against the tRPC
  // floor (the public query in Tessera's process) and Better Auth's database read.
  meDpopVsPing: 0.7,
  meDpopVsBetterAuth: 3,
  refreshVsPing: 0.4,
  stormP99: 3,
  reload: 1.5,
  signInKb: 100,
  authKb: 6,
  // Issue 22, CPU per request. SQLite: a rotation ≤ 2.5× auth.me. PostgreSQL: auth.me cheaper
  // than the session-lookup peer, 1.5× with one token and 1.2× with many; a rotation ≤ 3× auth.me.
  refreshVsMeCpuSqlite: 2.5,
  sessionVsMeCpu: 1.5,
  sessionVsMeManyCpu: 1.2,
  refreshVsMeCpuPostgres: 3,
};
/** packages/auth/src/tokens/verified-token-cache.ts's DEFAULT_MAX_ENTRIES. */
const VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;
const ENGINES = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

const versionOf = (name) => {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, 'utf8')).version;
  } catch {
    return 'unknown';
  }
};

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const thousands = (value) => Math.round(value).toLocaleString('en-US');
const verdict = (ok) => (ok ? 'met' : '**missed**');

export function writeReport(out, data) {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
  const versions = Object.fromEntries(
    [
      'fastify',
      '@trpc/server',
      'jose',
      'better-sqlite3',
      'drizzle-orm',
      'pg',
      'express',
      'express-session',
      'better-sqlite3-session-store',
      'connect-pg-simple',
      'better-auth',
      'autocannon',
    ].map((name) => [name, versionOf(name)]),
  );
  const date = new Date().toISOString();
  mkdirSync(out, { recursive: true });
  const { seconds, rounds, connections } = data;
  writeFileSync(
    join(out, `results-${data.engine}.json`),
    `${JSON.stringify({ date, machine, versions, settings: { seconds, rounds, connections }, ...data, rows: data.results }, null, 2)}\n`,
  );

  // Every engine measured so far, this run's and the last of each other's.
  const engines = {};
  for (const engine of Object.keys(ENGINES)) {
    const file = join(out, `results-${engine}.json`);
    if (existsSync(file)) engines[engine] = JSON.parse(readFileSync(file, 'utf8'));
  }
  writeFileSync(join(out, 'results.json'), `${JSON.stringify({ engines }, null, 2)}\n`);
  writeFileSync(join(out, 'ratios.svg'), ratiosChart(engines));
  writeFileSync(join(out, 'cpu.svg'), cpuChart(engines));

  const sections = Object.entries(engines).map(([engine, run]) => engineSection(engine, run));
  const markdown = `# Benchmarks

Measured by \`npm run bench\`: every server in a process of its own on this machine, scenarios
interleaved over rounds, medians (spread: slowest and fastest round). A ratio of rates is the
median over rounds of the scenario's rate divided by the public query's rate in the same round.
CPU per request is the server process's CPU time (all its threads, from \`/proc/<pid>/stat\`)
and, on PostgreSQL, that of the database backends serving it (the \`pg_stat_activity\` pids of
its database), over the run, divided by the requests answered: the round with the median total.
On a shared machine it is far steadier than requests per second. Each scenario was checked to
answer 200 with the expected body before it was measured. Raw numbers:
[results.json](results.json) (per engine: ${Object.keys(engines)
    .map((engine) => `[results-${engine}.json](results-${engine}.json)`)
    .join(', ')}).

\`\`\`sh
TURBO_TELEMETRY_DISABLED=1 npx turbo run build --output-logs=errors-only  # the server, built
npm run bench -w @tessera/bench                                           # SQLite (default)
BENCH_DB=postgres npm run bench -w @tessera/bench                         # PostgreSQL (BENCH_DATABASE_URL)
\`\`\`

![Requests per second, as a ratio of a public tRPC query in Tessera's process](ratios.svg)

![CPU time per request, server process and database backends](cpu.svg)

${sections.join('\n')}
Where the time goes, and why a target is missed: [profile.md](profile.md).

## Machine

${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}.
Versions: ${Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}.

## JWT or session token?

${verdictText(engines)}
`;
  writeFileSync(join(out, 'README.md'), markdown);
}

const us = (value) => (Number.isFinite(value) ? thousands(value) : 'n/a');

/** One engine's table, its targets, and how its many-users row was made. */
function engineSection(engine, run) {
  const rows = run.rows;
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
  const postgres = engine === 'postgres';
  const meCpu = byId['tessera-me'].cpuUs;
  const cpuCells = (r) =>
    postgres
      ? `${us(r.cpuServerUs)} | ${us(r.cpuDatabaseUs)} | ${us(r.cpuUs)} | ${fixed(r.cpuUs / meCpu)}`
      : `${us(r.cpuUs)} | ${fixed(r.cpuUs / meCpu)}`;
  const table = `| scenario | req/s (median) | spread | p99 ms | × public query | ${
    postgres ? 'CPU µs/req, server | database | total' : 'CPU µs/req'
  } | × \`auth.me\` CPU |
|---|---:|---:|---:|---:|${postgres ? '---:|---:|---:|' : '---:|'}---:|
${rows
  .map(
    (r) =>
      `| ${r.name} | ${thousands(r.rps)} | ${thousands(r.rpsMin)}–${thousands(r.rpsMax)} | ${r.p99} | ${fixed(r.ratio)} | ${cpuCells(r)} |`,
  )
  .join('\n')}`;
  return `## ${ENGINES[engine]}

Measured on ${run.date.slice(0, 10)}: ${run.connections} connections, ${run.rounds} interleaved rounds of
${run.seconds} s per scenario${postgres ? ', every server on a PostgreSQL database of its own (a pool of 10 connections each), on this machine' : ', every server on a SQLite file of its own'}.

${table}

The many-users row sends ${thousands(run.tokens)} distinct access tokens of ${thousands(run.users)} users
(about ${fixed(run.tokens / run.users, 0)} each: each user registered once, then their session rotated,
every rotation returning a new access token without a password hash), round-robin, one per
request. ${
    run.tokens > VERIFIED_TOKEN_CACHE_ENTRIES
      ? `The verified-token cache holds ${thousands(VERIFIED_TOKEN_CACHE_ENTRIES)} tokens, least recently used out first: cycling
through more than that, every request misses it and verifies the Ed25519 signature.`
      : `That is fewer than the verified-token cache holds (${thousands(VERIFIED_TOKEN_CACHE_ENTRIES)}): after the first pass this run's
many-users row was served from the cache (set BENCH_TOKENS above it).`
  } The user read by id is still reused within its second when the same user comes round again
(${thousands(run.users)} users).

${targetsTable(engine, run, byId)}
`;
}

function targetsTable(engine, run, byId) {
  const me = byId['tessera-me'];
  const many = byId['tessera-me-many'];
  const refresh = byId['tessera-refresh'];
  const session = byId['peer-trpc-session'];
  const lines = [];
  if (engine === 'postgres') {
    const oneToken = session.cpuUs / me.cpuUs;
    const manyTokens = session.cpuUs / many.cpuUs;
    const refreshVsMe = refresh.cpuUs / me.cpuUs;
    lines.push(
      `| session-lookup peer's CPU ÷ \`auth.me\`'s, one token | ≥ ${TARGETS.sessionVsMeCpu}× | ${fixed(oneToken)}× (${us(session.cpuUs)} ÷ ${us(me.cpuUs)} µs) | ${verdict(oneToken >= TARGETS.sessionVsMeCpu)} |`,
      `| session-lookup peer's CPU ÷ \`auth.me\`'s, many users | ≥ ${TARGETS.sessionVsMeManyCpu}× | ${fixed(manyTokens)}× (${us(session.cpuUs)} ÷ ${us(many.cpuUs)} µs) | ${verdict(manyTokens >= TARGETS.sessionVsMeManyCpu)} |`,
      `| \`auth.refresh\` CPU ÷ \`auth.me\` CPU | ≤ ${TARGETS.refreshVsMeCpuPostgres}× | ${fixed(refreshVsMe)}× (${us(refresh.cpuUs)} ÷ ${us(me.cpuUs)} µs) | ${verdict(refreshVsMe <= TARGETS.refreshVsMeCpuPostgres)} |`,
    );
  } else {
    const { signInStorm, reload, bundle } = run;
    const meRatio = me.ratio;
    const meVsSession = me.rps / session.rps;
    const betterAuth = byId['peer-better-auth'];
    const betterAuthCached = byId['peer-better-auth-cookie-cache'];
    const meVsBetterAuth = me.rps / betterAuth.rps;
    const dpop = byId['tessera-me-dpop'];
    const dpopVsBetterAuth = dpop.rps / betterAuth.rps;
    const refreshVsMe = refresh.cpuUs / me.cpuUs;
    const signInKb = bundle?.signInPage ? bundle.signInPage.gzip / 1000 : Number.NaN;
    const authKb = bundle ? bundle.authPackages.gzip / 1000 : Number.NaN;
    lines.push(
      `| \`auth.me\` ÷ public query, same process | ≥ ${TARGETS.meVsPing}× | ${fixed(meRatio)}× | ${verdict(meRatio >= TARGETS.meVsPing)} |`,
      `| \`auth.me\` ÷ the session-lookup peer (tRPC + one SELECT) | ≥ ${TARGETS.meVsSession}× (level, within 5 %) | ${fixed(meVsSession)}× | ${verdict(meVsSession >= TARGETS.meVsSession)} |`,
      `| \`auth.me\` ÷ Better Auth \`get-session\` (database) | ≥ ${TARGETS.meVsBetterAuth}× | ${fixed(meVsBetterAuth)}× (cookie cache on: ${fixed(me.rps / betterAuthCached.rps)}×) | ${verdict(meVsBetterAuth >= TARGETS.meVsBetterAuth)} |`,
      `| \`auth.me\` with DPoP ÷ public query, same process | ≥ ${TARGETS.meDpopVsPing}× | ${fixed(dpop.ratio)}× (Bearer ${fixed(meRatio)}×; ${us(dpop.cpuUs)} µs CPU against ${us(me.cpuUs)}) | ${verdict(dpop.ratio >= TARGETS.meDpopVsPing)} |`,
      `| \`auth.me\` with DPoP ÷ Better Auth \`get-session\` (database) | ≥ ${TARGETS.meDpopVsBetterAuth}× | ${fixed(dpopVsBetterAuth)}× | ${verdict(dpopVsBetterAuth >= TARGETS.meDpopVsBetterAuth)} |`,
      `| \`auth.refresh\` ÷ public query | ≥ ${TARGETS.refreshVsPing}× | ${fixed(refresh.ratio)}× | ${verdict(refresh.ratio >= TARGETS.refreshVsPing)} |`,
      `| \`auth.refresh\` CPU ÷ \`auth.me\` CPU | ≤ ${TARGETS.refreshVsMeCpuSqlite}× | ${fixed(refreshVsMe)}× (${us(refresh.cpuUs)} ÷ ${us(me.cpuUs)} µs) | ${verdict(refreshVsMe <= TARGETS.refreshVsMeCpuSqlite)} |`,
      `| \`auth.me\` p99 during 20 concurrent sign-ins ÷ idle p99 | ≤ ${TARGETS.stormP99}× | ${fixed(signInStorm.ratio)}× (${signInStorm.stormP99} ms ÷ ${signInStorm.idleP99} ms; ${thousands(signInStorm.signInsPerSecond)} sign-ins/s) | ${verdict(signInStorm.ratio <= TARGETS.stormP99)} |`,
      reload && !reload.error
        ? `| signed-in reload ÷ anonymous sign-in form, Chromium | ≤ ${TARGETS.reload}× | ${fixed(reload.ratio)}× (${Math.round(reload.signedInReloadMs)} ms ÷ ${Math.round(reload.anonymousMs)} ms), ${reload.authRequestsPerReload} auth request(s) | ${verdict(reload.ratio <= TARGETS.reload && reload.authRequestsPerReload === 1)} |`
        : `| signed-in reload ÷ anonymous sign-in form, Chromium | ≤ ${TARGETS.reload}× | not measured (${reload?.error ?? 'no run'}) | — |`,
      `| sign-in page JavaScript, gzipped | ≤ ${TARGETS.signInKb} kB | ${fixed(signInKb, 1)} kB | ${verdict(signInKb <= TARGETS.signInKb)} |`,
      `| \`auth-client\` + \`auth-react\` as bundled, gzipped | ≤ ${TARGETS.authKb} kB | ${fixed(authKb, 1)} kB | ${verdict(authKb <= TARGETS.authKb)} |`,
    );
  }
  return `### Targets on ${ENGINES[engine]}

| target | wanted | measured | |
|---|---|---|---|
${lines.join('\n')}`;
}

/** What the numbers say about the seed's argument, engine by engine, from the numbers themselves. */
function verdictText(engines) {
  const paragraphs = [];
  for (const [engine, run] of Object.entries(engines)) {
    const byId = Object.fromEntries(run.rows.map((r) => [r.id, r]));
    const me = byId['tessera-me'];
    const many = byId['tessera-me-many'];
    const refresh = byId['tessera-refresh'];
    const session = byId['peer-trpc-session'];
    const express = byId['peer-express-session'];
    const betterAuth = byId['peer-better-auth'];
    const floor = byId['peer-trpc-public'];
    const cheaper = (peer, ours) =>
      peer.cpuUs >= ours.cpuUs
        ? `${fixed(peer.cpuUs / ours.cpuUs)}× cheaper`
        : `${fixed(ours.cpuUs / peer.cpuUs)}× dearer`;
    // Signed-in reads per access token at which the token design costs the session design's CPU.
    // One token serves a client for its lifetime: its first read verifies the signature (the
    // many-users row), the later ones hit the cache (the one-token row), and one refresh replaces it.
    const saving = session.cpuUs - me.cpuUs;
    const breakEven = saving > 0 ? (refresh.cpuUs + many.cpuUs - me.cpuUs) / saving : Number.NaN;
    paragraphs.push(`**${ENGINES[engine]}.** A signed-in read (\`auth.me\`) costs ${us(me.cpuUs)} µs of CPU with one
token (verified once, then found in the cache) and ${us(many.cpuUs)} µs with ${thousands(run.tokens)} tokens
round-robin (a full Ed25519 verification every time), against ${us(session.cpuUs)} µs for the lean
session lookup (tRPC + one prepared SELECT${engine === 'postgres' ? ', backends included' : ''}) and ${us(floor.cpuUs)} µs for a public tRPC
query that reads nothing: the token is ${cheaper(session, me)} than the lookup with one token, and
${cheaper(session, many)} with many. The session libraries people reach for cost
${us(express.cpuUs)} µs (express-session, a read and a \`touch\` write per request) and
${us(betterAuth.cpuUs)} µs (Better Auth \`get-session\`): mostly framework weight, not the session
design. The token's price is the rotation: an \`auth.refresh\` costs ${us(refresh.cpuUs)} µs, ${fixed(refresh.cpuUs / me.cpuUs, 1)}×
a read${
      Number.isFinite(breakEven)
        ? `. A client sends one access token for its lifetime (5 minutes by default): its first read
verifies the signature, the later ones are answered from the cache, and one refresh replaces it.
So a session comes out ahead of the lookup on CPU once it makes about ${fixed(breakEven, 0)} signed-in
requests per access token, one every ${fixed(300 / breakEven, 0)} s or more often; a session that reads less pays more
for the token than for the lookup, and when every request brings a token the process has not seen
(the many-users row), ${many.cpuUs < session.cpuUs ? 'the token is still cheaper' : 'no number of reads pays the rotation back'}`
        : ', and even a cached read is not cheaper than the lookup, so no number of reads pays the rotation back'
    }.`);
  }
  paragraphs.push(`A read with a verified token skips the database; a session lookup pays for it on every
request, a round trip and a backend's work on PostgreSQL. What a session cookie does in one
lookup, the JWT does with a refresh every few minutes and with the revocation feed (a background
poll on SQLite, LISTEN/NOTIFY on PostgreSQL, so no request waits on the database to learn that a
session ended). Tessera also reuses the user it read for up to a second per process, which the
session peer does not: the comparison is of the two designs as built, not of the authentication
step alone. The session design is simpler, and the difference shrinks when the user lookup, not the
authentication, is the cost.`);
  return paragraphs.join('\n\n');
}

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/`/g, '');

/**
 * Horizontal bars, a panel per engine: each row's `parts` (value, colour) stacked, with `label`
 * at the end. The scale is shared, so the engines compare at a glance.
 */
function panels(engines, { title, parts, label }) {
  const barHeight = 26;
  const labelWidth = 470;
  const scaleWidth = 340;
  const sum = (r) => parts(r).reduce((total, [value]) => total + (Number.isFinite(value) ? value : 0), 0);
  const all = Object.values(engines).flatMap((run) => run.rows);
  const max = Math.max(1e-9, ...all.map(sum));
  let y = 10;
  const pieces = [];
  for (const [engine, run] of Object.entries(engines)) {
    pieces.push(`<text x="10" y="${y + 18}" font-weight="bold" font-size="14">${ENGINES[engine]}</text>`);
    y += 28;
    for (const r of run.rows) {
      pieces.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(r.name)}</text>`);
      let x = labelWidth;
      for (const [value, fill] of parts(r)) {
        const width = Number.isFinite(value) ? (value / max) * scaleWidth : 0;
        if (width <= 0) continue;
        pieces.push(
          `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(1, width).toFixed(1)}" height="${barHeight - 10}" fill="${fill}"/>`,
        );
        x += width;
      }
      pieces.push(`<text x="${(x + 6).toFixed(1)}" y="${y + 17}">${label(r)}</text>`);
      y += barHeight;
    }
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + scaleWidth + 110}" height="${y + 10}" font-family="system-ui, sans-serif" font-size="12">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
${pieces.join('\n')}
</svg>
`;
}

const ours = (r) => (r.id.startsWith('tessera') ? '#3b4bdb' : '#8a92a3');

/** Each scenario's rate as a ratio of the public query in Tessera's process, per engine. */
function ratiosChart(engines) {
  return panels(engines, {
    title: "Requests per second of each scenario, as a ratio of a public tRPC query in Tessera's process",
    parts: (r) => [[r.ratio, ours(r)]],
    label: (r) => `${fixed(r.ratio)}×`,
  });
}

/** CPU µs per request, the server's and (lighter) its database backends', per engine. */
function cpuChart(engines) {
  return panels(engines, {
    title: 'CPU time per request, µs: server process (dark) and PostgreSQL backends (light)',
    parts: (r) => [
      [r.cpuServerUs, ours(r)],
      [r.cpuDatabaseUs, r.id.startsWith('tessera') ? '#a5adf2' : '#c9cdd6'],
    ],
    label: (r) => `${us(r.cpuUs)} µs`,
  });
}
