/**
 * An instance whose list of ended sessions has fallen behind fails closed (issue 20, finding 4):
 * while its feed is stale, protected procedures confirm the session in the database, so another
 * instance's revocation is refused there too, not only reported by /healthz. Each engine makes
 * its feed stale its own way, with the database still answering queries.
 */
import { randomBytes } from 'node:crypto';
import { LISTENER_APPLICATION_NAME } from '@tessera/auth/postgres';
import {
  createTestPgDatabase,
  NO_POSTGRES_REASON,
  TEST_DATABASE_URL,
  type TestPgDatabase,
} from '@tessera/db/testing/postgres';
import { startTcpProxy, type TcpProxy } from '@tessera/db/testing/tcp-proxy';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, callProcedure, registerUser, startTestServer, type TestServer } from './testing';

if (TEST_DATABASE_URL === null) console.warn(NO_POSTGRES_REASON);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Last opened, first closed: the servers before the proxy and the database they use.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(options);
  cleanups.push(() => server.dispose());
  return server;
}

const email = 'stale@example.com';
const password = 'a strong password';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const listNotes = (url: string, token: string) =>
  callProcedure(url, 'notes.list', { method: 'GET', headers: bearer(token) });
const createNote = (url: string, token: string) =>
  callProcedure(url, 'notes.create', { input: { title: 'Kept?', body: '' }, headers: bearer(token) });

/**
 * On `a`: an account with two sessions; the first is signed out there. Resolves to both access
 * tokens, the signed-out one first.
 */
async function signedOutOnA(a: string): Promise<{ revoked: string; live: string }> {
  const { accessToken: revoked } = await registerUser(a, email, { password });
  const login = await callProcedure(a, 'auth.login', { input: { email, password } });
  const live = (login.body as { result: { data: { accessToken: string } } }).result.data.accessToken;
  expect((await callProcedure(a, 'auth.logout', { headers: bearer(revoked) })).status).toBe(200);
  return { revoked, live };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const revocationsCheck = async (url: string) =>
  ((await (await fetch(`${url}/healthz`)).json()) as { checks: { revocations: string } }).checks.revocations;

/** What B must answer while stale: the revoked session refused on a query and a mutation, the live one served. */
async function expectFailsClosed(b: string, tokens: { revoked: string; live: string }): Promise<void> {
  expect(await listNotes(b, tokens.revoked)).toMatchObject({ status: 401, reason: 'SESSION_REVOKED' });
  expect(await createNote(b, tokens.revoked)).toMatchObject({ status: 401, reason: 'SESSION_REVOKED' });
  expect(await listNotes(b, tokens.live)).toMatchObject({ status: 200 });
}

describe('an instance whose revocation feed is stale confirms each session in the database', () => {
  it('SQLite: B, whose feed has not read for over 5 s, refuses a session A signed out', async () => {
    // One origin for both, so each verifies the other's tokens (it is their issuer).
    const env = { PUBLIC_ORIGIN: 'http://localhost:5999' };
    // B reads other processes' revocations once, at start, and then not for an hour.
    const built = await buildTestApp({ env, revocationPollMs: 3_600_000 });
    cleanups.push(() => built.dispose());
    const b = await built.app.listen({ port: 0, host: '127.0.0.1' });
    const a = await started({ dbFile: built.db.file ?? '', env });

    const tokens = await signedOutOnA(a.url);
    await until(async () => (await revocationsCheck(b)) === 'stale', 15_000);
    await expectFailsClosed(b, tokens);
  });

  describe.skipIf(TEST_DATABASE_URL === null)('PostgreSQL', () => {
    it('B, whose listening connection froze on the network, refuses a session A signed out, and recovers once it thaws', async () => {
      const database: TestPgDatabase = await createTestPgDatabase();
      cleanups.push(() => database.drop());
      const target = new URL(database.url);
      const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      cleanups.push(() => proxy.close());
      const viaProxy = new URL(database.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const env = { SECRET_KEY: randomBytes(32).toString('base64') };
      const a = await started({ dbFile: database.url, env });
      // Only B's listener goes through the proxy's frozen path; its pool's connections do not.
      const b = await started({ dbFile: viaProxy.toString(), env });

      // Frozen, and every listener B opens afterwards too: no answer, no error, no reset.
      proxy.freeze(LISTENER_APPLICATION_NAME, { andNew: true });
      const tokens = await signedOutOnA(a.url);
      await until(async () => (await revocationsCheck(b.url)) === 'stale', 20_000);
      await expectFailsClosed(b.url, tokens);

      proxy.thaw();
      await until(async () => (await revocationsCheck(b.url)) === 'ok', 20_000);
      expect(await listNotes(b.url, tokens.revoked)).toMatchObject({ status: 401, reason: 'SESSION_REVOKED' });
    });
  });
});
