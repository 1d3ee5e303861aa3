import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { buildTestApp, callProcedure, rawSql, refreshTokenFrom, registerUser, testServers } from './testing';

const servers = testServers();

interface RefreshAnswer {
  status: number;
  code: string | null;
  /** The refresh cookie the response set: a token, '' when it cleared it, null when untouched. */
  cookie: string | null;
}

async function refresh(baseUrl: string, token: string, userAgent = 'node'): Promise<RefreshAnswer> {
  const response = await fetch(`${baseUrl}/trpc/auth.refresh`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `${REFRESH_COOKIE_NAME}=${token}`,
      'user-agent': userAgent,
    },
  });
  const body = (await response.json()) as { error?: { data: { code: string } } };
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`));
  return {
    status: response.status,
    code: body.error?.data.code ?? null,
    cookie: setCookie === undefined ? null : (setCookie.split(';')[0]?.slice(REFRESH_COOKIE_NAME.length + 1) ?? ''),
  };
}

async function signUp(baseUrl: string, email = 'storm@example.com'): Promise<string> {
  return (await registerUser(baseUrl, email)).refreshToken;
}

/** Every answer succeeded and carried the same successor: no false sign-out, one lineage. */
function expectOneLineage(answers: RefreshAnswer[]): string {
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  const successors = new Set(answers.map((a) => a.cookie));
  expect(successors.size).toBe(1);
  const [successor] = successors;
  if (!successor) throw new Error('no successor');
  return successor;
}

describe('refresh under concurrency', () => {
  it('50 concurrent refreshes with one token: no false sign-out, one lineage', async () => {
    const server = await servers.start();
    const token = await signUp(server.url);
    const answers = await Promise.all(Array.from({ length: 50 }, () => refresh(server.url, token)));
    const successor = expectOneLineage(answers);
    expect(successor).not.toBe(token);
    expect((await refresh(server.url, successor)).status).toBe(200);
  });

  it('50 concurrent refreshes across two server processes on one SQLite file: no false sign-out, one lineage', async () => {
    const env = { DATABASE_URL: join(servers.folder('tessera-two-'), 'shared.db') };
    // The second started once the first has migrated and created the signing key, which it then shares.
    const [{ server: first, url: firstUrl }, { server: second, url: secondUrl }] = await servers.spawnPair(env);

    const token = await signUp(firstUrl);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refresh(i % 2 === 0 ? firstUrl : secondUrl, token)),
    );
    const successor = expectOneLineage(answers);
    expect((await refresh(secondUrl, successor)).status).toBe(200);
    expect(first.output().stdout + second.output().stdout).not.toMatch(/SQLITE_BUSY|"level":50/);
  });
});

/**
 * @see issue 22: on PostgreSQL the common refresh is a read and one compare-and-swap statement, no
 * transaction; a sign-out landing between them must still win.
 */
describe('refreshes in flight around a sign-out everywhere', () => {
  it('leaves no token of the user’s sessions that refreshes, and no access token they issued that is accepted', async () => {
    const server = await servers.start();
    const { accessToken, refreshToken } = await registerUser(server.url, 'race@example.com');
    const otherTab = await callProcedure(server.url, 'auth.login', {
      input: { email: 'race@example.com', password: 'a strong password' },
    });
    const otherSession = refreshTokenFrom(otherTab.headers) ?? '';
    const issued: string[] = [];
    let latest = refreshToken;
    let signedOut = false;
    // One client rotating answer after answer, and a storm on the user's other session, while the
    // user signs out everywhere.
    const chain = (async () => {
      for (;;) {
        const startedAfterSignOut = signedOut;
        const answer = await fetch(`${server.url}/trpc/auth.refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: `${REFRESH_COOKIE_NAME}=${latest}` },
        });
        const body = (await answer.json()) as { result?: { data: { accessToken: string } } };
        if (answer.status !== 200) return answer.status;
        if (startedAfterSignOut) return 'refreshed after the sign-out answered';
        issued.push(body.result?.data.accessToken ?? '');
        latest = refreshTokenFrom(answer.headers) ?? latest;
      }
    })();
    while (issued.length < 3) await new Promise((resolve) => setImmediate(resolve));
    const storm = Promise.all(Array.from({ length: 10 }, () => refresh(server.url, otherSession)));
    const out = await callProcedure(server.url, 'auth.logoutAll', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(out.status).toBe(200);
    signedOut = true;

    expect(await chain).toBe(401);
    const successors = (await storm).flatMap((answer) => (answer.cookie ? [answer.cookie] : []));
    for (const token of [refreshToken, latest, otherSession, ...successors]) {
      expect((await refresh(server.url, token)).status).toBe(401);
    }
    for (const token of issued) {
      const me = await callProcedure(server.url, 'auth.me', {
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(401);
    }
  });
});

describe('reuse detection', () => {
  it('a token replayed after the grace window revokes the whole family, and the cookie is cleared', async () => {
    const server = await servers.start({ REFRESH_REUSE_GRACE: '1' });
    const first = await signUp(server.url);
    const second = (await refresh(server.url, first)).cookie ?? '';
    expect((await refresh(server.url, first)).cookie).toBe(second); // inside the window: same successor
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // let the 1-second window pass

    expect(await refresh(server.url, first)).toEqual({ status: 401, code: 'UNAUTHORIZED', cookie: '' });
    // The live token of the family is dead too, and so is every other.
    expect(await refresh(server.url, second)).toEqual({ status: 401, code: 'UNAUTHORIZED', cookie: '' });
    expect(await refresh(server.url, first)).toEqual({ status: 401, code: 'UNAUTHORIZED', cookie: '' });

    expect(await rawSql(server.dbFile, 'select revoked_reason as reason from sessions')).toEqual([
      { reason: 'reuse_detected' },
    ]);
  });

  it('a grandparent token revokes the family even inside the grace window', async () => {
    const server = await servers.start();
    const first = await signUp(server.url);
    const second = (await refresh(server.url, first)).cookie ?? '';
    const third = (await refresh(server.url, second)).cookie ?? '';
    expect(third).toMatch(/^[\w-]{43}$/);

    expect((await refresh(server.url, first)).status).toBe(401);
    expect((await refresh(server.url, third)).status).toBe(401);
  });

  it('leaves other sessions of the same user alone', async () => {
    const server = await servers.start({ REFRESH_REUSE_GRACE: '0' });
    const stolen = await signUp(server.url, 'two@example.com');
    const login = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'two@example.com', password: 'a strong password' }),
    });
    const otherDevice = login.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1] ?? '';
    await refresh(server.url, stolen);
    expect((await refresh(server.url, stolen)).status).toBe(401);
    expect((await refresh(server.url, otherDevice)).status).toBe(200);
  });
});

/** @see issue 8, finding 3: grace replays were unlimited, from anywhere, and never logged. */
describe('the grace window', () => {
  it('honours a retry from the client that made the exchange, and logs each one with session, address and user agent', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { app, dispose } = await buildTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    try {
      const post = (token: string, userAgent: string) =>
        app.inject({
          method: 'POST',
          url: '/trpc/auth.refresh',
          headers: {
            'content-type': 'application/json',
            cookie: `${REFRESH_COOKIE_NAME}=${token}`,
            'user-agent': userAgent,
          },
        });
      const registered = await app.inject({
        method: 'POST',
        url: '/trpc/auth.register',
        headers: { 'content-type': 'application/json', 'user-agent': 'Tab/1.0' },
        payload: { email: 'grace@example.com', password: 'a strong password' },
      });
      const first = registered.cookies.find((c) => c.name === REFRESH_COOKIE_NAME)?.value ?? '';
      const answers = [await post(first, 'Tab/1.0'), await post(first, 'Tab/1.0'), await post(first, 'Tab/1.0')];
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
      const successors = new Set(answers.map((a) => a.cookies.find((c) => c.name === REFRESH_COOKIE_NAME)?.value));
      expect(successors.size).toBe(1);

      const retries = lines.filter((line) => line.event === 'refresh_grace_retry');
      expect(retries).toHaveLength(2);
      expect(retries[0]).toMatchObject({ sessionId: expect.any(String), ip: '127.0.0.1', userAgent: 'Tab/1.0' });
    } finally {
      await dispose();
    }
  });

  it('treats the same token from another client within the window as reuse: the session is revoked', async () => {
    const server = await servers.start();
    const first = await signUp(server.url, 'elsewhere@example.com');
    const exchanged = await refresh(server.url, first, 'Tab/1.0');
    expect(exchanged.status).toBe(200);

    const thief = await refresh(server.url, first, 'curl/8.0');
    expect(thief).toMatchObject({ status: 401, code: 'UNAUTHORIZED', cookie: '' });
    expect(await refresh(server.url, exchanged.cookie ?? '', 'Tab/1.0')).toMatchObject({ status: 401 });
  });

  it('caps REFRESH_REUSE_GRACE at 60 seconds', () => {
    expect(() => loadEnv({ REFRESH_REUSE_GRACE: '61' })).toThrow(/REFRESH_REUSE_GRACE: must be at most 60 seconds/);
  });
});

describe('when the database fails mid-refresh', () => {
  it('answers a generic 503, keeps the cookie, and the token still works afterwards', async () => {
    const server = await servers.start();
    const token = await signUp(server.url);
    // Another connection to the same database makes the successor's insert fail inside the
    // transaction, after the old token was already marked replaced.
    await rawSql(server.dbFile, {
      sqlite:
        "CREATE TRIGGER fail_refresh BEFORE INSERT ON refresh_tokens BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
      postgres: `CREATE FUNCTION fail_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'disk on fire'; END; $$;
        CREATE TRIGGER fail_refresh BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION fail_refresh();`,
    });
    try {
      const failed = await fetch(`${server.url}/trpc/auth.refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `${REFRESH_COOKIE_NAME}=${token}` },
      });
      expect(failed.status).toBe(503);
      expect(failed.headers.getSetCookie()).toEqual([]);
      const text = await failed.text();
      expect(JSON.parse(text).error.data.code).toBe('SERVICE_UNAVAILABLE');
      expect(text).not.toMatch(/disk on fire|refresh_tokens|SQLITE|postgres/i);
    } finally {
      await rawSql(server.dbFile, {
        sqlite: 'DROP TRIGGER fail_refresh',
        postgres: 'DROP TRIGGER fail_refresh ON refresh_tokens; DROP FUNCTION fail_refresh();',
      });
    }
    const retried = await refresh(server.url, token);
    expect(retried.status).toBe(200);
    expect(retried.cookie).toMatch(/^[\w-]{43}$/);
  });
});
