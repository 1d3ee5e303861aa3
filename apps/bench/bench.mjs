// `npm run bench`: Tessera against its peers, side by side in one run on this machine. Every
// server runs in a process of its own on a temporary SQLite file; scenarios are interleaved over
// rounds and reported as medians, so a noisy moment does not pick a winner. It writes the report
// (docs/benchmarks: README.md, results.json, ratios.svg), or to BENCH_OUT.
//   BENCH_SECONDS (5) per run, BENCH_ROUNDS (3), BENCH_CONNECTIONS (10), BENCH_OUT (docs/benchmarks)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureReload } from './browser.mjs';
import { authPackagesJs, signInPageJs } from './bundle.mjs';
import { run, summarise } from './measure.mjs';
import { startServer, TESSERA_MAIN } from './processes.mjs';
import { writeReport } from './report.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const out = process.env.BENCH_OUT ?? fileURLToPath(new URL('../../docs/benchmarks/', import.meta.url));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const json = { 'content-type': 'application/json' };
/** The `name=value` pairs an answer set, as the Cookie header a browser would send back. */
const cookiesOf = (response) =>
  response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const servers = [];
try {
  const tessera = await startServer('tessera', TESSERA_MAIN, {
    DATABASE_URL: join(dir, 'tessera.db'),
    // Request logs would be most of what is measured; throttles would refuse the load itself.
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
  });
  servers.push(tessera);
  const trpcPublic = await startServer('trpc-public', here('peers/trpc-public.mjs'), {});
  servers.push(trpcPublic);
  const trpcSession = await startServer('trpc-session', here('peers/trpc-session.mjs'), {
    DATABASE_FILE: join(dir, 'peer-session.db'),
  });
  servers.push(trpcSession);
  const peerSessionId = /session (\S+)/.exec(trpcSession.stdout())?.[1];
  const expressSession = await startServer('express-session', here('peers/express-session.mjs'), {
    DATABASE_FILE: join(dir, 'peer-express.db'),
  });
  servers.push(expressSession);
  const betterAuth = await startServer('better-auth', here('peers/better-auth.mjs'), {
    DATABASE_FILE: join(dir, 'peer-better-auth.db'),
  });
  servers.push(betterAuth);
  const betterAuthCached = await startServer('better-auth-cookie-cache', here('peers/better-auth.mjs'), {
    DATABASE_FILE: join(dir, 'peer-better-auth-cached.db'),
    COOKIE_CACHE: 'on',
  });
  servers.push(betterAuthCached);
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
  const refreshCookie = async () =>
    (await signIn('auth.login', 'bench@example.com')).headers.getSetCookie()[0].split(';')[0];
  // Fresh sessions for each run, one per connection: each rotates its own token, answer after
  // answer. (A request cut off when a run ends leaves its cookie a step behind; presented in a
  // later run, past the grace window, it would be reuse, and rightly refused.)
  let freeSlots = [];
  const checkCookie = await refreshCookie();

  const scenarios = [
    {
      id: 'tessera-ping',
      name: 'Tessera `ping` (public tRPC query, same process)',
      url: `${tessera.url}/trpc/ping`,
      expect: (body) => body.result.data.ok === true,
    },
    {
      id: 'tessera-me',
      name: 'Tessera `auth.me` (access token + user by id)',
      url: `${tessera.url}/trpc/auth.me`,
      headers: { authorization: `Bearer ${accessToken}` },
      expect: (body) => body.result.data.email === 'bench@example.com',
    },
    {
      id: 'tessera-refresh',
      name: 'Tessera `auth.refresh` (a real rotation per request)',
      url: `${tessera.url}/trpc/auth.refresh`,
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
      expect: (body) => body.result.data.ok === true,
    },
    {
      id: 'peer-trpc-session',
      name: 'tRPC + Fastify, session cookie → one prepared SQLite SELECT (peer)',
      url: `${trpcSession.url}/trpc/me`,
      headers: { cookie: `sid=${peerSessionId}` },
      expect: (body) => body.result.data.email === 'bench@example.com',
    },
    {
      id: 'peer-express-session',
      name: 'Express + express-session, SQLite store, `GET /me` (peer)',
      url: `${expressSession.url}/me`,
      headers: { cookie: expressCookie },
      expect: (body) => body.email === 'bench@example.com',
    },
    {
      id: 'peer-better-auth',
      name: `Better Auth \`get-session\`, read from the database (peer)`,
      url: `${betterAuth.url}/api/auth/get-session`,
      headers: { cookie: betterAuthCookie },
      expect: (body) => body.user.email === 'bench@example.com',
    },
    {
      id: 'peer-better-auth-cookie-cache',
      name: `Better Auth \`get-session\`, cookie cache on (peer)`,
      url: `${betterAuthCached.url}/api/auth/get-session`,
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
  for (const scenario of scenarios) await run(scenario, { seconds: 1, connections });
  const runs = new Map(scenarios.map((scenario) => [scenario.id, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      const result = await run(scenario, { seconds, connections });
      runs.get(scenario.id).push(result);
      console.log(
        `round ${round}/${rounds}  ${scenario.id.padEnd(30)} ${Math.round(result.rps)} req/s  p99 ${result.p99} ms`,
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
    run(scenarios[1], { seconds, connections }),
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

  const reload = await measureReload(tessera.url.replace('127.0.0.1', 'localhost'), { times: 5 }).catch((error) => ({
    error: String(error),
  }));
  const bundle = { signInPage: signInPageJs(), authPackages: await authPackagesJs() };

  writeReport(out, { seconds, rounds, connections, results, signInStorm, reload, bundle });
  console.log(`report written to ${out}`);
} finally {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
}
