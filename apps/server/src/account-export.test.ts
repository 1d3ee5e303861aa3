/**
 * `auth.account.export` over HTTP, on the server's engine (issue 26): one JSON document with the
 * account, its sessions, activity, passkeys and every feature's data, behind a fresh proof, with
 * no secret, hash or token anywhere in it.
 */
import { SoftwareAuthenticator } from '@tessera/auth/testing';
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { createTestClient, rawSql, refusal, signedUpDevice, type TestServer, testServers } from './testing';

const servers = testServers();
const password = 'a strong password';

const signedUp = (server: TestServer, email: string) => signedUpDevice(server, email, password);

describe('auth.account.export', () => {
  it('gives the owner everything kept about them, with no secret, hash or token in it', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    const phone = createTestClient(server.url);
    await phone.client.auth.login.mutate({ email: 'ada@example.com', password });
    const authenticator = new SoftwareAuthenticator({ origin: server.publicOrigin, rpId: 'localhost' });
    const options = await ada.client.auth.passkeys.registrationOptions.mutate();
    const passkey = authenticator.register(options);
    await ada.client.auth.passkeys.register.mutate({ response: passkey, name: 'Laptop' });
    await ada.client.notes.create.mutate({ title: 'Groceries', body: 'eggs, milk' });
    // Someone else's note is never in Ada's file.
    const bob = await signedUp(server, 'bob@example.com');
    await bob.client.notes.create.mutate({ title: 'Bob’s secret plans', body: 'not Ada’s' });

    const exported = await ada.client.auth.account.export.query();
    expect(exported).toMatchObject({
      format: 'tessera-export/1',
      account: {
        email: 'ada@example.com',
        name: null,
        role: 'user',
        emailVerified: true,
        twoFactorEnabled: false,
        hasPassword: true,
      },
      passkeys: [{ name: 'Laptop', lastUsedAt: null, synced: false }],
      connectedAccounts: [],
      features: { notes: { notes: [{ title: 'Groceries', body: 'eggs, milk' }] } },
    });
    expect(exported.sessions).toHaveLength(2);
    expect(exported.sessions.filter((session) => session.current)).toHaveLength(1);
    expect(exported.activity.map((event) => event.type)).toEqual(['passkey_added', 'signed_in', 'signed_in']);

    // What an attacker would look for: none of it is in the file.
    const file = JSON.stringify(exported);
    const [stored] = (await rawSql(
      server.dbFile,
      `select password_hash as "passwordHash" from users where email = 'ada@example.com'`,
    )) as { passwordHash: string }[];
    const sessionIds = ((await rawSql(server.dbFile, 'select id from sessions')) as { id: string }[]).map(
      (row) => row.id,
    );
    const tokenHashes = (
      (await rawSql(server.dbFile, 'select token_hash as "hash" from refresh_tokens')) as { hash: string }[]
    ).map((row) => row.hash);
    const [key] = (await rawSql(
      server.dbFile,
      `select public_key as "publicKey", credential_id as "credentialId" from passkeys`,
    )) as {
      publicKey: string;
      credentialId: string;
    }[];
    const secrets = [
      password,
      stored?.passwordHash ?? 'missing',
      ada.session.accessToken,
      ada.jar.get(REFRESH_COOKIE_NAME) ?? 'missing',
      phone.jar.get(REFRESH_COOKIE_NAME) ?? 'missing',
      ...sessionIds,
      ...tokenHashes,
      key?.publicKey ?? 'missing',
      key?.credentialId ?? 'missing',
      passkey.id,
      'Bob’s secret plans',
      'bob@example.com',
    ];
    for (const secret of secrets) expect(file).not.toContain(secret);
    expect(file).not.toMatch(/argon2|\$argon|refresh_token|password_hash|secret/i);
  });

  it('asks for a fresh proof first, as every sensitive step does', async () => {
    const server = await servers.start({ REAUTH_MAX_AGE: '30' });
    const ada = await signedUp(server, 'ada@example.com');
    await rawSql(server.dbFile, 'update sessions set auth_time = 1');
    const refreshed = await ada.client.auth.refresh.mutate();
    ada.setAccessToken(refreshed.accessToken);
    expect(await refusal(ada.client.auth.account.export.query())).toBe('UNAUTHORIZED:REAUTH_REQUIRED');
    const proved = await ada.client.auth.reauthenticate.mutate({ password });
    ada.setAccessToken(proved.accessToken);
    expect((await ada.client.auth.account.export.query()).account.email).toBe('ada@example.com');
    // And only with a live session: none for an anonymous caller.
    expect(await refusal(createTestClient(server.url).client.auth.account.export.query())).toBe(
      'UNAUTHORIZED:ACCESS_TOKEN_MISSING',
    );
  });
});
