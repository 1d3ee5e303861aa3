import { createPgDb, type PgDbHandle } from '@tessera/db';
import {
  createTestPgDatabase,
  NO_POSTGRES_REASON,
  SKIP_POSTGRES,
  type TestPgDatabase,
} from '@tessera/db/testing/postgres';
import { startTcpProxy, type TcpProxy } from '@tessera/db/testing/tcp-proxy';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultAuthConfig } from '../../config';
import { type Auth, createAuth } from '../../create-auth';
import { AuthError } from '../../errors';
import { createSecretBox, generateSecretKey } from '../../tokens/secret-box';
import { signedInOnly, until } from '../testing';
import { createPgBackground } from './background';
import { createListeningRevocationFeed, LISTENER_APPLICATION_NAME } from './revocation-feed';
import { createPgStore } from './store';

/** One key for every instance of a test, as every server of a deployment shares SECRET_KEY. */
const box = createSecretBox({ key: generateSecretKey() });
const config = { issuer: 'https://app.example.com', audience: 'tessera', ...defaultAuthConfig };
const client = { userAgent: 'Test/1.0', ip: '203.0.113.1' };
const account = { email: 'ada@example.com', password: 'a strong password', name: null };

let database: TestPgDatabase;
const opened: Array<{ auth: Auth; handle: PgDbHandle }> = [];
/** Closed after the instances, so none sees its path vanish and tries to reconnect meanwhile. */
const proxies: TcpProxy[] = [];

if (SKIP_POSTGRES) console.warn(NO_POSTGRES_REASON);

/**
 * One server instance's auth core on the test's database, following the others by LISTEN (on
 * `listenUrl`, the database's own by default).
 */
async function instance(
  options: { now?: () => number; listenUrl?: string; heartbeatTimeoutMs?: number } = {},
): Promise<Auth> {
  const { now = Date.now, listenUrl = database.url, heartbeatTimeoutMs } = options;
  const handle = await createPgDb(database.url, { poolMax: 4 });
  const background = createPgBackground(handle.db);
  const auth = await createAuth({
    store: createPgStore(handle.db),
    background,
    revocationFeed: createListeningRevocationFeed({
      url: listenUrl,
      reader: background,
      heartbeatMs: 100,
      heartbeatTimeoutMs,
    }),
    config,
    box,
    now,
  });
  opened.push({ auth, handle });
  return auth;
}

describe.skipIf(SKIP_POSTGRES)('the auth core on PostgreSQL', () => {
  beforeEach(async () => {
    database = await createTestPgDatabase();
  });
  afterEach(async () => {
    for (const { auth, handle } of opened.splice(0)) {
      await auth.close();
      await handle.close();
    }
    for (const proxy of proxies.splice(0)) await proxy.close();
    await database.drop();
  });

  it('registers, refuses a second account on the email, signs in, refreshes and reads the user', async () => {
    const a = await instance();
    const registered = await a.register(account, client);
    await expect(a.register(account, client)).rejects.toEqual(new AuthError('EMAIL_TAKEN'));
    await expect(a.login({ email: account.email, password: 'wrong password!' }, client)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    const signedIn = signedInOnly(await a.login(account, client));
    const refreshed = await a.refresh(signedIn.refreshToken, client);
    expect(refreshed.refreshToken).not.toBe(signedIn.refreshToken);
    expect(await a.getUser(registered.session.user.id)).toEqual(registered.session.user);
    expect((await a.listSessions(registered.session.user.id)).map((s) => s.id)).toContain(refreshed.sessionId);
    expect((await a.recentActivity(registered.session.user.id)).map((e) => e.type)).toEqual(['signed_in', 'signed_in']);
    const page = await a.listUsers({ limit: 10, after: null });
    expect(page.items).toMatchObject([{ email: account.email, sessions: 2, role: 'user' }]);
  });

  /** @see issue 22: a refresh cost about 8 round trips and 8 ms of CPU on PostgreSQL. */
  it('exchanges a current token in two statements and no transaction; a contended one waits for the lock', async () => {
    const a = await instance();
    const { refreshToken } = await a.register(account, client);
    const sent = await statementsSentDuring(() => a.refresh(refreshToken, client));
    const rotation = sent.filter((text) => /refresh_tokens/.test(text));
    expect(rotation).toHaveLength(2);
    expect(rotation[0]).toMatch(/^select /);
    expect(rotation[1]).toMatch(/^with swapped as/);
    expect(sent.filter((text) => /^begin/i.test(text))).toEqual([]);

    // The same client presenting its new token twice at once: one exchanges it, the other finds
    // it replaced (its swap fails, or it reads it so) and gets the same successor, under the lock.
    const { refreshToken: next } = signedInOnly(await a.login(account, client));
    const both = await statementsSentDuring(async () => {
      const results = await Promise.all([a.refresh(next, client), a.refresh(next, client)]);
      expect(results.filter((result) => result.graceRetry)).toHaveLength(1);
      expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1);
    });
    expect(both.filter((text) => /^begin/i.test(text))).toHaveLength(1);
  });

  it('turns a 50-request refresh storm split over two instances into one lineage, with no sign-out', async () => {
    const a = await instance();
    const b = await instance();
    const { refreshToken } = await a.register(account, client);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).refresh(refreshToken, client)),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).toEqual([]);
    const successors = new Set(
      results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.refreshToken] : [])),
    );
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    // The one lineage goes on, on either instance.
    const next = await b.refresh(successor as string, client);
    expect(next.graceRetry).toBe(false);
  });

  it('detects reuse after the grace window and ends the session on every instance within a second', async () => {
    let clock = Date.now();
    const a = await instance({ now: () => clock });
    const b = await instance({ now: () => clock });
    const first = await a.register(account, client);
    const second = await a.refresh(first.refreshToken, client);
    clock += (config.refreshReuseGrace + 1) * 1000;
    await expect(b.refresh(first.refreshToken, client)).rejects.toMatchObject({
      code: 'INVALID_REFRESH_TOKEN',
      details: { reason: 'reused', reuse: 'after_grace' },
    });
    await expect(a.refresh(second.refreshToken, client)).rejects.toMatchObject({ details: { reason: 'revoked' } });
    const waited = await until(async () => !(await a.verifyAccessToken(second.session.accessToken)).ok);
    expect(waited).toBeLessThan(1_000);
  });

  it('refuses a token signed out on A on B within a second, and B reads the session as revoked', async () => {
    const a = await instance();
    const b = await instance();
    const { session } = await a.register(account, client);
    const check = await b.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    await b.logout(check.token, client);
    const waited = await until(async () => (await a.verifyAccessToken(session.accessToken)).ok === false);
    expect(waited).toBeLessThan(1_000);
    expect(await a.sessionStatus(check.token)).toBe('revoked');
  });

  it('verifies on B a token signed with a key A just rotated to', async () => {
    const a = await instance();
    const b = await instance();
    await a.register(account, client);
    await a.rotateSigningKey();
    const { session } = signedInOnly(await a.login(account, client));
    expect(await b.verifyAccessToken(session.accessToken)).toMatchObject({ ok: true });
    expect((await b.jwks()).keys).toHaveLength(2);
  });

  /** @see issue 20, finding 11: a revocation must reach every instance at once. */
  it('announces a revocation: B refuses the revoked key’s token within a second (its client refreshes), and refreshes onto the new key', async () => {
    const a = await instance();
    const b = await instance();
    const { session, refreshToken } = await a.register(account, client);
    expect(await b.verifyAccessToken(session.accessToken)).toMatchObject({ ok: true });

    const { kid, revoked } = await a.rotateSigningKey({ revoke: true });
    expect(revoked).toEqual([decodeProtectedHeader(session.accessToken).kid]);
    expect(await a.verifyAccessToken(session.accessToken)).toEqual({ ok: false, reason: 'expired' });
    const waited = await until(async () => !(await b.verifyAccessToken(session.accessToken)).ok);
    expect(waited).toBeLessThan(1_000);
    expect(await b.verifyAccessToken(session.accessToken)).toEqual({ ok: false, reason: 'expired' });

    const refreshed = await b.refresh(refreshToken, client);
    expect(decodeProtectedHeader(refreshed.session.accessToken).kid).toBe(kid);
    expect(await a.verifyAccessToken(refreshed.session.accessToken)).toMatchObject({ ok: true });
    expect((await b.jwks()).keys.map((key) => key.kid)).toEqual([kid]);
  });

  it('reconnects a killed listener, catches up on what it missed, and reports the error meanwhile', async () => {
    const a = await instance();
    const b = await instance();
    const { session } = await a.register(account, client);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // Named, so they can be told from the pools' connections (whose last query may be anything).
      const listeners = await admin.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database() and application_name = $1',
        [LISTENER_APPLICATION_NAME],
      );
      expect(listeners.rows).toHaveLength(2);
      expect(listeners.rows.length).toBeGreaterThanOrEqual(1);
      await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [
        listeners.rows.map((row) => row.pid),
      ]);
    } finally {
      await admin.end();
    }
    // Ended while both listeners may be down: the catch-up read must bring it in.
    const check = await a.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    await a.logoutAll(check.token, client);
    await until(async () => (await b.verifyAccessToken(session.accessToken)).ok === false, 15_000);
    await until(async () => b.revocationHealth().lastError === null && !b.revocationHealth().stale, 15_000);
  });

  it('drops a listener whose network path froze, reconnects, and catches up on a revocation made meanwhile', async () => {
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxies.push(proxy);
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const a = await instance();
    const b = await instance({ listenUrl: viaProxy.toString(), heartbeatTimeoutMs: 1_000 });
    const { session } = await a.register(account, client);
    const check = await b.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    const before = await listenerPids();
    expect(before).toHaveLength(2);

    // B's listener now gets no answer and no error, for good: only dropping it helps.
    proxy.freeze(LISTENER_APPLICATION_NAME);
    await a.logout(check.token, client);
    // Its notice waits in the frozen path; a new listener's catch-up read brings it in.
    await until(async () => !(await b.verifyAccessToken(session.accessToken)).ok, 15_000);
    expect(await b.verifyAccessToken(session.accessToken)).toEqual({
      ok: false,
      reason: 'revoked',
      sessionEnd: 'signed_out',
    });
    const after = await listenerPids();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => !before.includes(pid))).toHaveLength(1);
    await until(async () => b.revocationHealth().lastError === null && !b.revocationHealth().stale, 15_000);
  });

  it('prunes spent throttle counters and long-ended sessions', async () => {
    let clock = Date.now();
    const a = await instance({ now: () => clock });
    const { session } = await a.register(account, client);
    const check = await a.verifyAccessToken(session.accessToken);
    if (!check.ok) throw new Error('token refused');
    await a.logout(check.token, client);
    clock += 31 * 24 * 3600 * 1000;
    const pruned = await a.pruneExpired();
    expect(pruned.sessions).toBe(1);
    expect(await a.listSessions(session.user.id)).toEqual([]);
  });
});

/** The backends of the instances' listening connections, by their application name. */
async function listenerPids(): Promise<number[]> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and application_name = $1',
      [LISTENER_APPLICATION_NAME],
    );
    return rows.map((row) => row.pid);
  } finally {
    await admin.end();
  }
}

/** The SQL text of every statement any pool sent while `act` ran (`BEGIN` included). */
async function statementsSentDuring(act: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string') sent.push(text.trim().toLowerCase());
    return Reflect.apply(query, this, args);
  };
  pg.Client.prototype.query = spy as typeof query;
  try {
    await act();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}
