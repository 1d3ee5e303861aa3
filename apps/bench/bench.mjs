// `npm run bench`: Tessera against its peers, side by side in one run on this machine. Every
// server runs in a process of its own, on a temporary SQLite file (BENCH_DB=sqlite, the default)
// or on a PostgreSQL database of its own (BENCH_DB=postgres: created on the server
// BENCH_DATABASE_URL names, postgres://postgres@127.0.0.1:5432/test by default, and dropped at
// the end). Scenarios are interleaved over rounds and reported as medians, so a noisy moment does
// not pick a winner; besides requests per second, each run counts the CPU time per request of the
// server process and, on PostgreSQL, of the database backends serving it. It writes
// results-<engine>.json and the report over every engine measured so far (docs/benchmarks:
// README.md, results.json, ratios.svg, cpu.svg), or to BENCH_OUT.
//   BENCH_SECONDS (5) per run, BENCH_ROUNDS (3), BENCH_CONNECTIONS (10), BENCH_OUT (docs/benchmarks),
//   BENCH_USERS (1000) and BENCH_TOKENS (12000) for the many-users `auth.me` scenario
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureReload } from './browser.mjs';
import { authPackagesJs, signInPageJs } from './bundle.mjs';
import { dpopKey } from './dpop.mjs';
import { run, summarise } from './measure.mjs';
import { openDatabases } from './postgres.mjs';
import { startServer, TESSERA_MAIN } from './processes.mjs';
import { writeReport } from './report.mjs';

const engine = process.env.BENCH_DB || 'sqlite';
const engineName = engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`BENCH_DB must be sqlite or postgres, not ${engine}`);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
// More distinct access tokens than the verified-token cache holds (10,000, least recently used
// out first): sent round-robin, every request misses it and pays the Ed25519 verification.
const users = Number(process.env.BENCH_USERS ?? 1000);
const tokens = Math.max(users, Number(process.env.BENCH_TOKENS ?? 12_000));
const out = process.env.BENCH_OUT ?? fileURLToPath(new URL('../../docs/benchmarks/', import.meta.url));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const json = { 'content-type': 'application/json' };
/** The `name=value` pairs an answer set, as the Cookie header a browser would send back. */
const cookiesOf = (response) =>
  response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
/** Runs `task` over `items`, at most `limit` at a time, in order of the items. */
async function inParallel(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const databases = engine === 'postgres' ? await openDatabases() : undefined;
const servers = [];
/**
 * Starts a server on a database of its own: `file` in the temporary folder on SQLite (as
 * `fileVariable`), a new database on PostgreSQL (as DATABASE_URL, remembered for the CPU count).
 */
async function start(name, script, env, { file, fileVariable = 'DATABASE_FILE', extra = {} } = {}) {
  let database;
  let databaseEnv = {};
  if (file && databases) {
    const created = await databases.create(name);
    database = created.database;
    databaseEnv = { DATABASE_URL: created.url, ...extra };
  } else if (file) {
    databaseEnv = { [fileVariable]: join(dir, file) };
  }
  const server = await startServer(name, script, { ...env, ...databaseEnv });
  servers.push(server);
  return Object.assign(server, { database });
}
try {
  const tessera = await start(
    'tessera',
    TESSERA_MAIN,
    {
      // Request logs would be most of what is measured; throttles would refuse the load itself.
      LOG_LEVEL: 'warn',
      RATE_LIMIT: 'off',
      // Longer than a whole run, so that tokens minted at the start still verify at its end;
      // the lifetime changes nothing in what a request costs.
      ACCESS_TOKEN_TTL: '3600',
    },
    // PostgreSQL needs the key that seals the stored signing keys: a fresh one per run.
    { file: 'tessera.db', fileVariable: 'DATABASE_URL', extra: { SECRET_KEY: randomBytes(32).toString('base64') } },
  );
  const trpcPublic = await start('trpc-public', here('peers/trpc-public.mjs'), {});
  const trpcSession = await start('trpc-session', here('peers/trpc-session.mjs'), {}, { file: 'peer-session.db' });
  const peerSessionId = /session (\S+)/.exec(trpcSession.stdout())?.[1];
  const expressSession = await start(
    'express-session',
    here('peers/express-session.mjs'),
    {},
    { file: 'peer-express.db' },
  );
  const betterAuth = await start('better-auth', here('peers/better-auth.mjs'), {}, { file: 'peer-better-auth.db' });
  const betterAuthCached = await start(
    'better-auth-cookie-cache',
    here('peers/better-auth.mjs'),
    { COOKIE_CACHE: 'on' },
    { file: 'peer-better-auth-cached.db' },
  );
  const expressCookie = cookiesOf(await fetch(`${expressSession.url}/login`, { method: 'POST' }));
  // Signed up, then signed in: only a sign-in sets the cookie cache's second cookie. From the
  // app's own origin, as a browser would, or its CSRF check refuses the request.
  const betterAuthSignIn = async (url) => {
    const account = { email: 'bench@example.com', password: 'a strong password' };
    const headers = { ...json, origin: url };
    const post = (path, body) => fetch(`${url}/api/auth/${path}`, { method: 'POST', headers, body });
    await post('sign-up/email', JSON.stringify({ ...account, name: 'Bench' }));
    return cookiesOf(await post('sign-in/email', JSON.stringify(account)));
  };
  const betterAuthCookie = await betterAuthSignIn(betterAuth.url);
  const betterAuthCachedCookie = await betterAuthSignIn(betterAuthCached.url);
  if (!betterAuthCachedCookie.includes('better-auth.session_data=')) {
    throw new Error('Better Auth set no cookie cache: its cached scenario would measure the database read');
  }

  const signIn = (path, email) =>
    fetch(`${tessera.url}/trpc/${path}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: 'a strong password' }),
    });
  const registered = await signIn('auth.register', 'bench@example.com');
  const { accessToken } = (await registered.json()).result.data;
  // A session bound to a device key (DPoP), as the SPA's are: each request carries a new proof.
  // Proofs name PUBLIC_ORIGIN, which defaults to localhost on the server's port.
  const tesseraOrigin = tessera.url.replace('127.0.0.1', 'localhost');
  const deviceKey = dpopKey();
  const boundSignIn = await fetch(`${tessera.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { ...json, dpop: deviceKey.proof('POST', `${tesseraOrigin}/trpc/auth.login`) },
    body: JSON.stringify({ email: 'bench@example.com', password: 'a strong password' }),
  });
  const boundToken = (await boundSignIn.json()).result.data.accessToken;
  const meUrl = `${tesseraOrigin}/trpc/auth.me`;
  const dpopHeaders = (proof = deviceKey.proof('GET', meUrl, boundToken)) => ({
    authorization: `DPoP ${boundToken}`,
    dpop: proof,
  });
  // Signed before each run, as a real client signs on its own machine: on this 2-core machine,
  // signing in the load generator would take CPU from the server being measured. Each is used
  // once, within a second or two of its `iat`; should a run outpace them, the rest are signed live.
  let proofs = [];
  const refreshCookie = async () =>
    (await signIn('auth.login', 'bench@example.com')).headers.getSetCookie()[0].split(';')[0];
  // Fresh sessions for each run, one per connection: each rotates its own token, answer after
  // answer. (A request cut off when a run ends leaves its cookie a step behind; presented in a
  // later run, past the grace window, it would be reuse, and rightly refused.)
  let freeSlots = [];
  const checkCookie = await refreshCookie();

  // Many users, many tokens: `users` registered (argon2id, four at a time: the sign-in lane's
  // share for one address), and each session rotated until there are `tokens` distinct access
  // tokens in all (a rotation costs no hash). Sent round-robin, user after user, more tokens than
  // the verified-token cache holds: no request is served from it.
  const minting = Date.now();
  const refreshOf = (response) =>
    response.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Secure-tessera_refresh='))
      .split(';')[0];
  const perUser = (i) => Math.floor(tokens / users) + (i < tokens % users ? 1 : 0);
  const registeredUsers = await inParallel(
    Array.from({ length: users }, (_, i) => i),
    4,
    async (i) => {
      const answer = await signIn('auth.register', `bench-${i}@example.com`);
      if (answer.status !== 200) throw new Error(`registering user ${i} answered ${answer.status}`);
      return { accessToken: (await answer.json()).result.data.accessToken, cookie: refreshOf(answer) };
    },
  );
  const tokensByUser = await inParallel(registeredUsers, connections, async (user, i) => {
    const own = [user.accessToken];
    let cookie = user.cookie;
    while (own.length < perUser(i)) {
      const answer = await fetch(`${tessera.url}/trpc/auth.refresh`, { method: 'POST', headers: { ...json, cookie } });
      if (answer.status !== 200) throw new Error(`rotating user ${i}'s session answered ${answer.status}`);
      own.push((await answer.json()).result.data.accessToken);
      cookie = refreshOf(answer);
    }
    return own;
  });
  const manyTokens = [];
  for (let round = 0; manyTokens.length < tokens; round++) {
    for (const own of tokensByUser) if (round < own.length) manyTokens.push(own[round]);
  }
  if (new Set(manyTokens).size !== tokens) throw new Error('the many-users tokens are not all distinct');
  console.log(`${tokens} access tokens of ${users} users minted in ${((Date.now() - minting) / 1000).toFixed(1)} s`);
  let nextToken = 0;

  const scenarios = [
    {
      id: 'tessera-ping',
      name: 'Tessera `ping` (public tRPC query, same process)',
      url: `${tessera.url}/trpc/ping`,
      server: tessera,
      expect: (body) => body.result.data.ok === true,
    },
    {
      id: 'tessera-me',
      name: 'Tessera `auth.me` (access token + user by id)',
      url: `${tessera.url}/trpc/auth.me`,
      server: tessera,
      headers: { authorization: `Bearer ${accessToken}` },
      expect: (body) => body.result.data.email === 'bench@example.com',
    },
    {
      id: 'tessera-me-dpop',
      name: 'Tessera `auth.me`, DPoP-bound token + a fresh ES256 proof per request',
      url: `${tessera.url}/trpc/auth.me`,
      server: tessera,
      check: { headers: dpopHeaders() },
      prepare: async () => {
        proofs = Array.from({ length: seconds * 6000 }, () => deviceKey.proof('GET', meUrl, boundToken));
      },
      expect: (body) => body.result.data.email === 'bench@example.com',
      requests: [
        { setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...dpopHeaders(proofs.pop()) } }) },
      ],
    },
    {
      id: 'tessera-me-many',
      name: `Tessera \`auth.me\`, ${tokens.toLocaleString('en-US')} tokens of ${users.toLocaleString('en-US')} users round-robin${tokens > 10_000 ? ' (no cache hit)' : ''}`,
      url: `${tessera.url}/trpc/auth.me`,
      server: tessera,
      check: { headers: { authorization: `Bearer ${manyTokens[0]}` } },
      expect: (body) => /^bench-\d+@example\.com$/.test(body.result.data.email),
      requests: [
        {
          setupRequest(request) {
            const token = manyTokens[nextToken++ % manyTokens.length];
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
        },
      ],
    },
    {
      id: 'tessera-refresh',
      name: 'Tessera `auth.refresh` (a real rotation per request)',
      url: `${tessera.url}/trpc/auth.refresh`,
      server: tessera,
      method: 'POST',
      check: { headers: { ...json, cookie: checkCookie } },
      prepare: async () => {
        freeSlots = [];
        for (let i = 0; i < connections; i++) freeSlots.push({ cookie: await refreshCookie() });
      },
      expect: (body) => typeof body.result.data.accessToken === 'string',
      requests: [
        {
          setupRequest(request, context) {
            // A session is taken for one request at a time (a connection has one in flight),
            // and given back with the cookie its answer set.
            context.slot = freeSlots.shift();
            return { ...request, headers: { ...json, cookie: context.slot.cookie } };
          },
          onResponse(_status, _body, context, headers) {
            const lines = [headers['set-cookie'] ?? []].flat();
            const next = lines.find((line) => line.startsWith('__Secure-tessera_refresh='));
            if (next) context.slot.cookie = next.split(';')[0];
            freeSlots.push(context.slot);
          },
        },
      ],
    },
    {
      id: 'peer-trpc-public',
      name: 'tRPC + Fastify, public query, no auth (peer process)',
      url: `${trpcPublic.url}/trpc/ping`,
      server: trpcPublic,
      expect: (body) => body.result.data.ok === true,
    },
    {
      id: 'peer-trpc-session',
      name: `tRPC + Fastify, session cookie → one prepared ${engineName} SELECT (peer)`,
      url: `${trpcSession.url}/trpc/me`,
      server: trpcSession,
      headers: { cookie: `sid=${peerSessionId}` },
      expect: (body) => body.result.data.email === 'bench@example.com',
    },
    {
      id: 'peer-express-session',
      name: `Express + express-session, ${engine === 'postgres' ? 'connect-pg-simple' : 'SQLite'} store, \`GET /me\` (peer)`,
      url: `${expressSession.url}/me`,
      server: expressSession,
      headers: { cookie: expressCookie },
      expect: (body) => body.email === 'bench@example.com',
    },
    {
      id: 'peer-better-auth',
      name: `Better Auth \`get-session\`, read from the database (peer)`,
      url: `${betterAuth.url}/api/auth/get-session`,
      server: betterAuth,
      headers: { cookie: betterAuthCookie },
      expect: (body) => body.user.email === 'bench@example.com',
    },
    {
      id: 'peer-better-auth-cookie-cache',
      name: `Better Auth \`get-session\`, cookie cache on (peer)`,
      url: `${betterAuthCached.url}/api/auth/get-session`,
      server: betterAuthCached,
      headers: { cookie: betterAuthCachedCookie },
      expect: (body) => body.user.email === 'bench@example.com',
    },
  ];

  // Each scenario must answer 200 with the body it is meant to, or its numbers mean nothing.
  for (const scenario of scenarios) {
    const headers = scenario.check?.headers ?? scenario.headers;
    const answer = await fetch(scenario.url, { method: scenario.method ?? 'GET', headers });
    const body = await answer.json().catch(() => null);
    if (answer.status !== 200 || !body || !scenario.expect(body)) {
      throw new Error(`${scenario.id} answered ${answer.status} ${JSON.stringify(body)}: not measuring it`);
    }
  }

  // A first, unrecorded second each, so that no scenario is measured before the JIT has warmed up.
  for (const scenario of scenarios) await run(scenario, { seconds: 1, connections, databases });
  const runs = new Map(scenarios.map((scenario) => [scenario.id, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      const result = await run(scenario, { seconds, connections, databases });
      runs.get(scenario.id).push(result);
      const cpu = Math.round(result.cpuServerUs + result.cpuDatabaseUs);
      console.log(
        `round ${round}/${rounds}  ${scenario.id.padEnd(30)} ${Math.round(result.rps)} req/s  p99 ${result.p99} ms  CPU ${cpu} µs/request`,
      );
    }
  }
  const results = scenarios.map(({ id, name }) => ({
    id,
    name,
    ...summarise(runs.get(id), runs.get('tessera-ping')),
  }));

  // auth.me while 20 sign-ins (argon2id) run at once: the event loop must stay free.
  const storm = await Promise.all([
    run({ ...scenarios[1], server: undefined }, { seconds, connections }),
    run(
      {
        url: `${tessera.url}/trpc/auth.login`,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'bench@example.com', password: 'a strong password' }),
        connections: 20,
      },
      { seconds, connections },
    ),
  ]);
  const idleMe = results.find((r) => r.id === 'tessera-me');
  const signInStorm = {
    idleP99: idleMe.p99,
    stormP99: storm[0].p99,
    ratio: storm[0].p99 / Math.max(idleMe.p99, 1),
    signInsPerSecond: storm[1].rps,
  };
  console.log(`auth.me p99 idle ${idleMe.p99} ms, during 20 concurrent sign-ins ${storm[0].p99} ms`);

  // The page and its scripts do not depend on the engine: measured with SQLite's run only.
  const reload =
    engine === 'sqlite'
      ? await measureReload(tessera.url.replace('127.0.0.1', 'localhost'), { times: 5 }).catch((error) => ({
          error: String(error),
        }))
      : undefined;
  const bundle = engine === 'sqlite' ? { signInPage: signInPageJs(), authPackages: await authPackagesJs() } : undefined;

  writeReport(out, { engine, seconds, rounds, connections, users, tokens, results, signInStorm, reload, bundle });
  console.log(`report written to ${out}`);
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  await databases?.dropAll();
  rmSync(dir, { recursive: true, force: true });
}
