/**
 * `npm run keys:rotate`, as built, against two running servers on one database (a SQLite file,
 * or PostgreSQL with TEST_ENGINE): a leaked signing key mints nothing once it is retired, and
 * `--revoke` distrusts it at once on every instance (issue 20, finding 11).
 */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { SIGNING_KEYS_CHANNEL } from '@tessera/auth/postgres';
import { isPostgresUrl } from '@tessera/db';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from './env';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { loadSecretKey } from './secret-key';
import {
  callProcedure,
  ROTATE_JS,
  rawSql,
  refreshTokenFrom,
  registerUser,
  runTool,
  startTestServer,
  type TestServer,
} from './testing';

const servers: TestServer[] = [];
afterEach(async () => {
  // The first instance made the database: it goes last, and takes the database with it.
  for (const server of servers.splice(0).reverse()) await server.dispose();
});

/** Two instances on one database, as a deployment runs them (one SECRET_KEY). */
async function twoInstances(): Promise<[TestServer, TestServer]> {
  const a = await startTestServer();
  servers.push(a);
  const b = await startTestServer({ dbFile: a.dbFile });
  servers.push(b);
  return [a, b];
}

const me = (server: TestServer, accessToken: string) =>
  callProcedure(server.url, 'auth.me', { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).kid;

/** How long until `check` holds, polled; throws past five seconds. */
async function timeUntil(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > 5_000) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

interface LeakedKey {
  kid: string;
  privateJwk: string;
}

/** A stored key's private half, opened as whoever copied the database and its SECRET_KEY could. */
async function leak(server: TestServer, kid: string): Promise<LeakedKey> {
  const rows = (await rawSql(
    server.dbFile,
    `select private_jwk as "sealed" from signing_keys where kid = '${kid}'`,
  )) as Array<{ sealed: string }>;
  const file = isPostgresUrl(server.dbFile) ? null : server.dbFile;
  const { box } = loadSecretKey(loadEnv(server.databaseEnv), file);
  return { kid, privateJwk: box.open(rows[0]?.sealed ?? '', `signing_keys.private_jwk:${kid}`) };
}

/** An access token for `like`'s session, signed with the leaked key: what a thief mints. */
function mint(key: LeakedKey, like: string, claims: { iat: number; role: string }): string {
  const header = { alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' };
  const payload = { ...claimsOf(like), ...claims, exp: claims.iat + 300, jti: randomUUID() };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const privateKey = createPrivateKey({ key: JSON.parse(key.privateJwk), format: 'jwk' });
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

/**
 * Moves a retired key's retirement `ms` back, as though keys:rotate had run then, and tells the
 * instances as a rotation does (SQLite: they read it on their next poll); resolves to the new time.
 */
async function retireEarlier(server: TestServer, kid: string, ms: number): Promise<number> {
  await rawSql(server.dbFile, {
    sqlite: `update signing_keys set retired_at = retired_at - ${ms} where kid = '${kid}'`,
    postgres: `with moved as (update signing_keys set retired_at = retired_at - ${ms} where kid = '${kid}' returning kid)
      select pg_notify('${SIGNING_KEYS_CHANNEL}', kid) from moved`,
  });
  const rows = (await rawSql(
    server.dbFile,
    `select retired_at as "retiredAt" from signing_keys where kid = '${kid}'`,
  )) as [{ retiredAt: number | string }];
  return Number(rows[0].retiredAt);
}

describe('npm run keys:rotate with servers running', () => {
  it('refuses on every instance a token minted with the retired key after its retirement, even one cached before', async () => {
    const [a, b] = await twoInstances();
    const { accessToken } = await registerUser(a.url, 'ada@example.com');
    const oldKid = kidOf(accessToken);

    const rotation = runTool(ROTATE_JS, a.databaseEnv);
    expect(await rotation.exited).toBe(0);
    expect(rotation.stdout()).toMatch(/^tessera: new signing key [\w-]{43} \(database: /);
    const leaked = await leak(a, oldKid);
    // Just after the retirement, an instance that has not reloaded yet could have signed this:
    // accepted (and cached) on both, as the honest token is.
    const minted = mint(leaked, accessToken, { iat: Math.floor(Date.now() / 1000), role: 'admin' });
    for (const server of [a, b]) {
      expect((await me(server, accessToken)).status).toBe(200);
      expect((await me(server, minted)).status).toBe(200);
    }

    // Had the rotation been 70 s ago, no instance of ours could have signed it: past the reload
    // interval (60 s) and the clock tolerance (5 s).
    const retiredAt = await retireEarlier(a, oldKid, 70_000);
    for (const server of [a, b]) {
      const waited = await timeUntil(async () => (await me(server, minted)).status === 401);
      expect(waited).toBeLessThan(1_000);
      // Invalid, not expired: a client must not refresh over a forgery.
      expect(await me(server, minted)).toMatchObject({ status: 401, reason: 'ACCESS_TOKEN_INVALID' });
    }
    const withinInterval = mint(leaked, accessToken, { iat: Math.floor(retiredAt / 1000) + 60, role: 'user' });
    for (const server of [a, b]) expect((await me(server, withinInterval)).status).toBe(200);
  });

  it('--revoke distrusts the old key at once on every instance; the session refreshes onto the new key', async () => {
    const [a, b] = await twoInstances();
    const { accessToken, refreshToken } = await registerUser(a.url, 'ada@example.com');
    const oldKid = kidOf(accessToken);
    for (const server of [a, b]) expect((await me(server, accessToken)).status).toBe(200);

    const rotation = runTool(ROTATE_JS, a.databaseEnv, ['--revoke']);
    expect(await rotation.exited).toBe(0);
    const newKid = rotation.stdout().match(/new signing key ([\w-]{43});/)?.[1] ?? '';
    expect(rotation.stdout()).toContain(
      `tessera: new signing key ${newKid}; revoked ${oldKid}: their tokens are refused now, and clients refresh onto the new key (database: `,
    );
    for (const server of [a, b]) {
      const waited = await timeUntil(async () => (await me(server, accessToken)).status === 401);
      expect(waited).toBeLessThan(1_000);
      // The client's cue to refresh.
      expect(await me(server, accessToken)).toMatchObject({ status: 401, reason: 'ACCESS_TOKEN_EXPIRED' });
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((key) => key.kid)).toEqual([newKid]);
    }

    const refreshed = await callProcedure(b.url, 'auth.refresh', {
      headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`, origin: b.publicOrigin },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshTokenFrom(refreshed.headers)).not.toBeNull();
    const renewed = (refreshed.body as { result: { data: { accessToken: string } } }).result.data.accessToken;
    expect(kidOf(renewed)).toBe(newKid);
    for (const server of [a, b]) expect((await me(server, renewed)).status).toBe(200);
  });

  it('refuses an argument it does not know, and changes nothing', async () => {
    const a = await startTestServer();
    servers.push(a);
    const kids = async () => (await rawSql(a.dbFile, 'select kid from signing_keys')).length;
    const before = await kids();
    const rotation = runTool(ROTATE_JS, a.databaseEnv, ['--revoke-all']);
    expect(await rotation.exited).toBe(1);
    expect(rotation.stderr()).toMatch(
      /^tessera: cannot rotate the signing key \(database: .*\): usage: npm run keys:rotate \[-- --revoke\]\n$/,
    );
    expect(await kids()).toBe(before);
  });
});
