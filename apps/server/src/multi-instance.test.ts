/**
 * Several server instances on one PostgreSQL database act as one (issue 12): each instance is
 * the built server in a process of its own, as a load balancer would see them.
 */
import { randomBytes } from 'node:crypto';
import {
  createTestPgDatabase,
  NO_POSTGRES_REASON,
  TEST_DATABASE_URL,
  type TestPgDatabase,
} from '@tessera/db/testing/postgres';
import { startTcpProxy } from '@tessera/db/testing/tcp-proxy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import {
  callProcedure,
  ROTATE_JS,
  refreshTokenFrom,
  registerUser,
  runTool,
  type SpawnedServer,
  spawnServer,
} from './testing';

if (TEST_DATABASE_URL === null) console.warn(NO_POSTGRES_REASON);

const ORIGIN = 'http://localhost:5999';
let database: TestPgDatabase;
let env: Record<string, string>;
const running: SpawnedServer[] = [];

/** One more instance on the test's database; resolves to its URL once it listens. */
async function instance(): Promise<string> {
  const server = spawnServer(env);
  running.push(server);
  return server.listening;
}

const refresh = (url: string, token: string) =>
  callProcedure(url, 'auth.refresh', { headers: { cookie: `${REFRESH_COOKIE_NAME}=${token}`, origin: ORIGIN } });
const me = (url: string, accessToken: string) =>
  callProcedure(url, 'auth.me', { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });
const accessTokenOf = (body: unknown) =>
  (body as { result: { data: { accessToken: string } } }).result.data.accessToken;

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** Every test gets a database of its own, and instances sharing the same secrets, as a deployment's do. */
beforeEach(async () => {
  database = await createTestPgDatabase();
  env = {
    DATABASE_URL: database.url,
    SECRET_KEY: randomBytes(32).toString('base64'),
    PUBLIC_ORIGIN: ORIGIN,
    DATABASE_POOL_MAX: '4',
  };
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  await database.drop();
});

describe.skipIf(TEST_DATABASE_URL === null)('two instances on one PostgreSQL database', () => {
  it('signs in on A, refreshes on B, and turns a 50-request storm split over both into one lineage', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const { refreshToken } = await registerUser(a, 'ada@example.com', { headers: { origin: ORIGIN } });

    const onB = await refresh(b, refreshToken);
    expect(onB.status).toBe(200);
    const current = refreshTokenFrom(onB.headers) ?? '';

    const storm = await Promise.all(Array.from({ length: 50 }, (_, i) => refresh(i % 2 ? a : b, current)));
    expect(storm.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    const successors = new Set(storm.map((answer) => refreshTokenFrom(answer.headers)));
    expect(successors.size).toBe(1);
    // No false sign-out: the one successor goes on, on either instance.
    const next = await refresh(a, [...successors][0] ?? '');
    expect(next.status).toBe(200);
  });

  it('refuses on A, within a second, an access token signed out on B', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const { accessToken } = await registerUser(a, 'ada@example.com', { headers: { origin: ORIGIN } });
    expect((await me(a, accessToken)).status).toBe(200);
    expect(
      (await callProcedure(b, 'auth.logout', { headers: { authorization: `Bearer ${accessToken}` } })).status,
    ).toBe(200);
    const waited = await until(async () => (await me(a, accessToken)).status === 401, 2_000);
    expect(waited).toBeLessThan(1_000);
    // The announcement says what ended it (issue 26): A tells the client, as B would.
    expect((await me(a, accessToken)).body).toMatchObject({
      error: { data: { reason: 'SESSION_REVOKED', sessionEnd: 'signed_out' } },
    });
  });

  it('refuses on A, within a second, the access token of an account deleted on B (issue 26)', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const { accessToken } = await registerUser(a, 'ada@example.com', { headers: { origin: ORIGIN } });
    expect((await me(a, accessToken)).status).toBe(200);
    const deleted = await callProcedure(b, 'auth.account.delete', {
      input: { confirmEmail: 'ada@example.com' },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(deleted.status).toBe(200);
    const waited = await until(async () => (await me(a, accessToken)).status === 401, 2_000);
    expect(waited).toBeLessThan(1_000);
    expect((await me(a, accessToken)).body).toMatchObject({
      error: { data: { reason: 'SESSION_REVOKED', sessionEnd: 'account_deleted' } },
    });
  });

  it('verifies on both a key rotated by keys:rotate, and keeps every session across a restart of both', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const first = await registerUser(a, 'ada@example.com', { headers: { origin: ORIGIN } });
    // Both instances signed with one key, read from the shared database.
    expect((await me(b, first.accessToken)).status).toBe(200);

    const rotation = runTool(ROTATE_JS, env);
    expect(await rotation.exited).toBe(0);
    const newKid = rotation.stdout().match(/new signing key (\S+)/)?.[1];
    expect(newKid).toBeDefined();

    // Restarted, both instances sign with the new key; each verifies the other's tokens, and
    // the old key's token still verifies until it expires.
    await Promise.all(running.splice(0).map((server) => server.stop()));
    const [a2, b2] = await Promise.all([instance(), instance()]);
    const refreshed = await refresh(a2, first.refreshToken);
    expect(refreshed.status).toBe(200);
    const newToken = accessTokenOf(refreshed.body);
    const header = JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString('utf8'));
    expect(header.kid).toBe(newKid);
    for (const url of [a2, b2]) {
      expect((await me(url, newToken)).status).toBe(200);
      expect((await me(url, first.accessToken)).status).toBe(200);
    }
  });
});

describe.skipIf(TEST_DATABASE_URL === null)('an instance on PostgreSQL when the database fails', () => {
  it('loses at most the requests in flight when its connections are killed (503, never 500), and recovers by itself', async () => {
    const url = await instance();
    const { accessToken } = await registerUser(url, 'ada@example.com', { headers: { origin: ORIGIN } });
    const headers = { authorization: `Bearer ${accessToken}` };
    const statuses: number[] = [];
    let stop = false;
    // Four clients reading notes (a query each) without pause while the connections are killed.
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) statuses.push((await callProcedure(url, 'notes.list', { method: 'GET', headers })).status);
    });
    await until(async () => statuses.length >= 20, 20_000);
    const killed = await terminateConnections(database.url);
    expect(killed).toBeGreaterThanOrEqual(1);
    const before = statuses.length;
    await until(async () => statuses.length >= before + 40, 30_000);
    stop = true;
    await Promise.all(clients);

    const failed = statuses.filter((status) => status !== 200);
    console.info(
      `connection loss: ${killed} connections killed, ${failed.length} of ${statuses.length} requests failed`,
    );
    expect(new Set(failed)).toEqual(new Set(failed.length > 0 ? [503] : []));
    // At most the requests in flight: four clients, one request each.
    expect(failed.length).toBeLessThanOrEqual(4);
    // The pool replaced its connections and the listener reconnected: healthy again.
    expect(statuses.slice(-10)).toEqual(Array(10).fill(200));
    await until(async () => (await fetch(`${url}/healthz`)).status === 200, 20_000);
  });

  it('answers 503, not 500, while PostgreSQL is down, and serves again once it is back', async () => {
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      const viaProxy = new URL(database.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      env.DATABASE_URL = viaProxy.toString();
      const url = await instance();
      const { accessToken, refreshToken } = await registerUser(url, 'ada@example.com', { headers: { origin: ORIGIN } });
      const headers = { authorization: `Bearer ${accessToken}` };

      await proxy.down();
      // A refresh that cannot reach the database changes nothing: the cookie stays good.
      const refreshDuringOutage = await refresh(url, refreshToken);
      expect(refreshDuringOutage.status).toBe(503);
      expect(refreshTokenFrom(refreshDuringOutage.headers)).toBeNull();
      const refused = await callProcedure(url, 'notes.list', { method: 'GET', headers });
      expect(refused.status).toBe(503);
      expect(refused.code).toBe('SERVICE_UNAVAILABLE');
      expect(refused.text).not.toMatch(/ECONN|postgres|\bat /i);
      const signUp = await callProcedure(url, 'auth.register', {
        input: { email: 'grace@example.com', password: 'a strong password' },
        headers: { origin: ORIGIN },
      });
      expect(signUp.status).toBe(503);
      expect((await fetch(`${url}/healthz`)).status).toBe(503);

      await proxy.up();
      await until(
        async () => (await callProcedure(url, 'notes.list', { method: 'GET', headers })).status === 200,
        5_000,
      );
      await until(async () => (await fetch(`${url}/healthz`)).status === 200, 20_000);
      expect((await refresh(url, refreshToken)).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('does not start on a database it cannot open, and says so in one line without the password', async () => {
    const missing = new URL(database.url);
    missing.pathname = '/tessera_no_such_database';
    missing.password = 'hunter2-secret';
    const server = spawnServer({ ...env, DATABASE_URL: missing.toString() });
    running.push(server);
    expect(await server.exited).toBe(1);
    const { stderr } = server.output();
    expect(stderr).toContain('DATABASE_URL: cannot open the PostgreSQL database');
    expect(stderr).toContain('tessera_no_such_database" does not exist');
    expect(stderr).not.toContain('hunter2-secret');
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('never writes a query’s parameters (email, password hash) or the driver’s detail into the log', async () => {
    const server = spawnServer(env);
    running.push(server);
    const url = await server.listening;
    // Every new account now breaks a rule: the INSERT fails with its values in hand.
    await adminQuery(database.url, "alter table users add constraint refuse_all check (email = 'nobody') not valid");
    const email = 'leak-check@example.com';
    const answer = await callProcedure(url, 'auth.register', {
      input: { email, password: 'a strong password' },
      headers: { origin: ORIGIN },
    });
    expect(answer.status).toBe(500);
    await until(async () => server.output().stdout.includes('procedure failed'), 15_000);
    const log = server.output().stdout;
    expect(log).toContain('params: [withheld]');
    expect(log).not.toContain(email);
    expect(log).not.toMatch(/argon2id|Failing row contains/);
  });
});

/** Ends every connection to the test's database but this one; resolves to how many it ended. */
async function terminateConnections(url: string): Promise<number> {
  const result = await adminQuery(
    url,
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  return result.length;
}

async function adminQuery(url: string, statement: string): Promise<unknown[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}
