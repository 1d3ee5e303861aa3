/**
 * Access tokens against RFC 8725 and the OWASP JWT cheat sheet, black box over HTTP: each forged,
 * broken or misused token is UNAUTHORIZED with the one generic message, never a 500.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { messages } from '@tessera/api';
import { createSecretBox } from '@tessera/auth';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProcedure, rawRequest, rawSql, registerUser, startTestServer, type TestServer } from '../testing';

let server: TestServer;
let accessToken: string;
let refreshToken: string;
let claims: JWTPayload;
/** The server's real signing key, read from its database: to forge tokens whose only flaw is the one under test. */
let signingKey: { kid: string; key: CryptoKey | Uint8Array };

beforeAll(async () => {
  server = await startTestServer();
  ({ accessToken, refreshToken } = await registerUser(server.url, 'jwt@example.com'));

  claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
  const [row] = (await rawSql(
    server.dbFile,
    'select kid, private_jwk as jwk from signing_keys where retired_at is null',
  )) as { kid: string; jwk: string }[];
  if (!row) throw new Error('no signing key');
  // The private key is sealed: opening it takes the key-encryption key (SECRET_KEY, or the
  // secret.key file next to a SQLite database).
  const keyText = server.databaseEnv.SECRET_KEY ?? readFileSync(join(dirname(server.dbFile), 'secret.key'), 'utf8');
  const box = createSecretBox({ key: Buffer.from(keyText.trim(), 'base64') });
  const jwk = box.open(row.jwk, `signing_keys.private_jwk:${row.kid}`);
  signingKey = { kid: row.kid, key: await importJWK(JSON.parse(jwk) as JWK, 'EdDSA') };
});
afterAll(async () => {
  await server.dispose();
});

const me = (authorization: string) =>
  callProcedure(server.url, 'auth.me', { method: 'GET', headers: { authorization } });

async function expectRefused(
  authorization: string,
  reason = 'ACCESS_TOKEN_INVALID',
  message: string = messages.authenticationRequired,
): Promise<void> {
  const answer = await me(authorization);
  expect(answer.status).toBe(401);
  expect(answer.code).toBe('UNAUTHORIZED');
  expect(answer.reason).toBe(reason);
  expect(answer.message).toBe(message);
}

/** Our real key and header, with the claims and header fields given on top. */
function forge(overrides: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ ...claims, ...overrides })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: signingKey.kid, ...header })
    .sign(signingKey.key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

describe('access tokens (RFC 8725, OWASP JWT)', () => {
  it('accepts the genuine token and an exact forgery of it (so every refusal below is for its one flaw)', async () => {
    expect((await me(`Bearer ${accessToken}`)).status).toBe(200);
    expect((await me(`Bearer ${await forge({})}`)).status).toBe(200);
  });

  it('refuses alg none', async () => {
    const [, payload] = accessToken.split('.');
    await expectRefused(`Bearer ${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`);
    await expectRefused(`Bearer ${b64({ alg: 'none', typ: 'at+jwt', kid: signingKey.kid })}.${payload}.`);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    for (const secret of [JSON.stringify(jwks.keys[0]), jwks.keys[0]?.x ?? '']) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: signingKey.kid })
        .sign(new TextEncoder().encode(secret));
      await expectRefused(`Bearer ${token}`);
    }
  });

  it.each([
    ['a path', '../../../../etc/passwd'],
    ['SQL', "' OR 1=1; DROP TABLE signing_keys; --"],
    ['10 KB', 'k'.repeat(10_240)],
    ['a number', 42],
    ['an object', { $ne: null }],
    ['unknown but well-formed', 'A'.repeat(43)],
  ])('refuses an unknown or hostile kid: %s', async (_name, kid) => {
    await expectRefused(`Bearer ${await forge({}, { kid })}`);
  });

  it('ignores jwk, jku, x5u and x5c headers and never fetches them', async () => {
    const requests: string[] = [];
    const trap: Server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const address = trap.address();
    const trapUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const attacker = await generateKeyPair('EdDSA', { extractable: true });
      const attackerJwk = await exportJWK(attacker.publicKey);
      for (const header of [
        { jwk: attackerJwk, kid: undefined },
        { jku: `${trapUrl}/jwks.json`, kid: 'attacker' },
        { x5u: `${trapUrl}/cert.pem`, kid: 'attacker' },
        { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'], kid: 'attacker' },
      ]) {
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
          .sign(attacker.privateKey);
        await expectRefused(`Bearer ${token}`);
      }
      expect(requests).toEqual([]);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = accessToken.split('.');
    await expectRefused(`Bearer ${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`);
  });

  it('refuses an expired token, saying so (the client may refresh), but calls an expired forgery invalid', async () => {
    const expired = await forge({ iat: nowS() - 400, exp: nowS() - 60 });
    await expectRefused(`Bearer ${expired}`, 'ACCESS_TOKEN_EXPIRED', messages.accessTokenExpired);
    const [header, payload] = expired.split('.');
    await expectRefused(`Bearer ${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`);
  });

  it('says the token is missing when there is no Authorization header', async () => {
    const answer = await callProcedure(server.url, 'auth.me', { method: 'GET' });
    expect(answer).toMatchObject({ status: 401, code: 'UNAUTHORIZED', reason: 'ACCESS_TOKEN_MISSING' });
  });

  it('refuses nbf in the future', async () => {
    await expectRefused(`Bearer ${await forge({ nbf: nowS() + 120 })}`);
  });

  it('refuses iat far in the future', async () => {
    await expectRefused(`Bearer ${await forge({ iat: nowS() + 3600, exp: nowS() + 3900 })}`);
  });

  it('refuses a wrong iss', async () => {
    await expectRefused(`Bearer ${await forge({ iss: 'https://evil.example' })}`);
  });

  it('refuses a wrong aud', async () => {
    await expectRefused(`Bearer ${await forge({ aud: 'another-api' })}`);
  });

  it('refuses a wrong typ', async () => {
    await expectRefused(`Bearer ${await forge({}, { typ: 'JWT' })}`);
    await expectRefused(`Bearer ${await forge({}, { typ: undefined })}`);
  });

  it('refuses a refresh token presented as an access token', async () => {
    expect(refreshToken).toMatch(/^[\w-]{43}$/);
    await expectRefused(`Bearer ${refreshToken}`);
  });

  it.each([
    ['2 segments', () => accessToken.split('.').slice(0, 2).join('.')],
    ['4 segments', () => `${accessToken}.${accessToken.split('.')[2]}`],
    ['bad base64url', () => `${accessToken.slice(0, 10)}%$*${accessToken.slice(13)}`],
    [
      'a non-JSON header',
      () => `${Buffer.from('not json').toString('base64url')}.${accessToken.split('.').slice(1).join('.')}`,
    ],
  ])('refuses a malformed token: %s', async (_name, token) => {
    await expectRefused(`Bearer ${token()}`);
  });

  it.each(['Bearer', 'Bearer ', 'bearer', 'Basic dXNlcjpwYXNz', `Token ${'x'}`])(
    'refuses an empty or foreign Authorization scheme: %j',
    async (authorization) => {
      await expectRefused(authorization);
    },
  );

  it('refuses duplicate Authorization headers, even when one is valid', async () => {
    const answer = await rawRequest(server.url, [
      'GET /trpc/auth.me HTTP/1.1',
      `Authorization: Bearer ${accessToken}`,
      'Authorization: Bearer forged',
    ]);
    expect(answer.status).toBe(401);
    expect(answer.body).toContain(messages.authenticationRequired);
    const reversed = await rawRequest(server.url, [
      'GET /trpc/auth.me HTTP/1.1',
      'Authorization: Bearer forged',
      `Authorization: Bearer ${accessToken}`,
    ]);
    expect(reversed.status).toBe(401);
  });

  it('refuses a 15 KB token', async () => {
    const [header, , signature] = accessToken.split('.');
    const token = `${header}.${b64({ ...claims, pad: 'p'.repeat(11_000) })}.${signature}`;
    expect(token.length).toBeGreaterThanOrEqual(15_000);
    await expectRefused(`Bearer ${token}`);
  });
});
