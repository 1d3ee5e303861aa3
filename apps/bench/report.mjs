// The benchmark's report: a Markdown page with the table and the machine it ran on, the raw
// numbers as JSON, and an SVG bar chart of the ratios.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';

const TARGETS = {
  meVsPing: 0.9,
  meVsSession: 0.95,
  meVsBetterAuth: 3,
  refreshVsPing: 0.4,
  stormP99: 3,
  reload: 1.5,
  signInKb: 100,
  authKb: 6,
};

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
  const { results, signInStorm, reload, bundle, seconds, rounds, connections } = data;
  const rows = results;
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
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
      'express',
      'express-session',
      'better-sqlite3-session-store',
      'better-auth',
      'autocannon',
    ].map((name) => [name, versionOf(name)]),
  );
  const date = new Date().toISOString();
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'results.json'),
    `${JSON.stringify({ date, machine, versions, settings: { seconds, rounds, connections }, ...data, rows }, null, 2)}\n`,
  );
  writeFileSync(join(out, 'ratios.svg'), chart(rows));

  const me = byId['tessera-me'].ratio;
  const refresh = byId['tessera-refresh'].ratio;
  const session = byId['peer-trpc-session'];
  const express = byId['peer-express-session'];
  const betterAuth = byId['peer-better-auth'];
  const betterAuthCached = byId['peer-better-auth-cookie-cache'];
  const meRps = byId['tessera-me'].rps;
  const meVsSession = meRps / session.rps;
  const meVsBetterAuth = meRps / betterAuth.rps;
  const signInKb = bundle.signInPage ? bundle.signInPage.gzip / 1000 : Number.NaN;
  const authKb = bundle.authPackages.gzip / 1000;
  const reloadLine = !reload.error
    ? `| signed-in reload ÷ anonymous sign-in form, Chromium | ≤ ${TARGETS.reload}× | ${fixed(reload.ratio)}× (${Math.round(reload.signedInReloadMs)} ms ÷ ${Math.round(reload.anonymousMs)} ms), ${reload.authRequestsPerReload} auth request(s) | ${verdict(reload.ratio <= TARGETS.reload && reload.authRequestsPerReload === 1)} |`
    : `| signed-in reload ÷ anonymous sign-in form, Chromium | ≤ ${TARGETS.reload}× | not measured (${reload.error}) | — |`;

  const markdown = `# Benchmarks

Measured by \`npm run bench\` on ${date.slice(0, 10)}: every server in a process of its own on
this machine, ${connections} connections, ${rounds} interleaved rounds of ${seconds} s per
scenario, medians (spread: slowest and fastest round). A ratio is the median over rounds of the
scenario's rate divided by the public query's rate in the same round. Each scenario was checked to answer 200
with the expected body before it was measured. Raw numbers: [results.json](results.json).

![Requests per second, as a ratio of a public tRPC query in Tessera's process](ratios.svg)

| scenario | req/s (median) | spread | p99 ms | × public query |
|---|---:|---:|---:|---:|
${rows
  .map(
    (r) =>
      `| ${r.name} | ${thousands(r.rps)} | ${thousands(r.rpsMin)}–${thousands(r.rpsMax)} | ${r.p99} | ${fixed(r.ratio)} |`,
  )
  .join('\n')}

## Targets

| target | wanted | measured | |
|---|---|---|---|
| \`auth.me\` ÷ public query, same process | ≥ ${TARGETS.meVsPing}× | ${fixed(me)}× | ${verdict(me >= TARGETS.meVsPing)} |
| \`auth.me\` ÷ the session-lookup peer (tRPC + one SELECT) | ≥ ${TARGETS.meVsSession}× (level, within 5 %) | ${fixed(meVsSession)}× | ${verdict(meVsSession >= TARGETS.meVsSession)} |
| \`auth.me\` ÷ Better Auth \`get-session\` (database) | ≥ ${TARGETS.meVsBetterAuth}× | ${fixed(meVsBetterAuth)}× (cookie cache on: ${fixed(meRps / betterAuthCached.rps)}×) | ${verdict(meVsBetterAuth >= TARGETS.meVsBetterAuth)} |
| \`auth.refresh\` ÷ public query | ≥ ${TARGETS.refreshVsPing}× | ${fixed(refresh)}× | ${verdict(refresh >= TARGETS.refreshVsPing)} |
| \`auth.me\` p99 during 20 concurrent sign-ins ÷ idle p99 | ≤ ${TARGETS.stormP99}× | ${fixed(signInStorm.ratio)}× (${signInStorm.stormP99} ms ÷ ${signInStorm.idleP99} ms; ${thousands(signInStorm.signInsPerSecond)} sign-ins/s) | ${verdict(signInStorm.ratio <= TARGETS.stormP99)} |
${reloadLine}
| sign-in page JavaScript, gzipped | ≤ ${TARGETS.signInKb} kB | ${fixed(signInKb, 1)} kB | ${verdict(signInKb <= TARGETS.signInKb)} |
| \`auth-client\` + \`auth-react\` as bundled, gzipped | ≤ ${TARGETS.authKb} kB | ${fixed(authKb, 1)} kB | ${verdict(authKb <= TARGETS.authKb)} |

Where the time goes, and why a target is missed: [profile.md](profile.md).

## Machine

${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}.
Versions: ${Object.entries(versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}.

## JWT or session token?

On this machine a signed-in request to Tessera (\`auth.me\`: access token checked, user read by
id) answers ${fixed(me)}× as many requests as a public tRPC query in the same process, and
${fixed(meVsSession)}× as many as the session-lookup design (a cookie and one prepared SQLite
SELECT per request, ${thousands(session.rps)} req/s). Against the session libraries people reach
for, it answers ${fixed(meRps / express.rps)}× Express with express-session on a SQLite store
(${thousands(express.rps)} req/s: a read and a \`touch\` write per request) and ${fixed(meVsBetterAuth)}× Better
Auth's \`get-session\` (${thousands(betterAuth.rps)} req/s; with its cookie cache, which also skips the
database, ${thousands(betterAuthCached.rps)} req/s). Those gaps are mostly framework weight, not the
session-versus-token choice: the tRPC session peer shows what a lean session design costs. The token is verified in
full once per process and then found in a bounded cache by its exact text, with its expiry, its
key and the list of ended sessions checked on every use; that list is fed by a background poll,
so no request waits on the database to learn that a session ended. Tessera also reuses the user
it read for up to a second per process, which the session peer does not: the comparison is of
the two designs as built, not of the authentication step alone.
What a session cookie does in one lookup, the JWT does with a refresh every few minutes
(\`auth.refresh\`, a real rotation in a transaction: ${thousands(byId['tessera-refresh'].rps)} req/s here) and
with the revocation feed. The numbers favour the JWT when reads dominate; the session design is
simpler, and the difference shrinks when the user lookup, not the authentication, is the cost.
`;
  writeFileSync(join(out, 'README.md'), markdown);
}

/** Horizontal bars of each scenario's ratio to the public query, with the value at the end. */
function chart(rows) {
  const barHeight = 28;
  const labelWidth = 430;
  const scaleWidth = 360;
  const max = Math.max(1, ...rows.map((r) => r.ratio));
  const height = rows.length * barHeight + 40;
  const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/`/g, '');
  const bars = rows
    .map((r, i) => {
      const y = 20 + i * barHeight;
      const width = Math.max(1, (r.ratio / max) * scaleWidth);
      const fill = r.id.startsWith('tessera') ? '#3b4bdb' : '#8a92a3';
      return `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(r.name)}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(1)}" height="${barHeight - 10}" fill="${fill}"/>
<text x="${labelWidth + width + 6}" y="${y + 17}">${r.ratio.toFixed(2)}×</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + scaleWidth + 70}" height="${height}" font-family="system-ui, sans-serif" font-size="12">
<title>Requests per second of each scenario, as a ratio of a public tRPC query in Tessera's process</title>
<rect width="100%" height="100%" fill="#ffffff"/>
${bars}
</svg>
`;
}
