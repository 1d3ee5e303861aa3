/**
 * What the server keeps on disk (issue 8, finding 1): the database is not a master key. Its
 * folder and files are private to the server's user, and the secrets in it (private signing
 * keys, refresh successors) are sealed under a key that is not in it.
 */
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { registerUser, testServers } from '../testing';

const servers = testServers();
const tempDir = () => servers.folder('tessera-at-rest-');

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('data at rest', () => {
  it('creates the data folder 0700, the database files and secret.key 0600, and says where the key is', async () => {
    const dataDir = join(tempDir(), 'data');
    const dbFile = join(dataDir, 'tessera.db');
    const server = servers.spawn({ DATABASE_URL: dbFile });
    await registerUser(await server.listening, 'perms@example.com');

    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of ['tessera.db', 'tessera.db-wal', 'tessera.db-shm', 'secret.key']) {
      expect(modeOf(join(dataDir, file))).toBe(0o600);
    }
    const { stdout } = server.output();
    expect(stdout).toContain(`the key that seals the database's secrets at ${join(dataDir, 'secret.key')}`);
    expect(stdout).toContain('in production set SECRET_KEY');
  });

  it('gives whoever copies the database file alone no signing key: the key is sealed, and the copy will not sign', async () => {
    const dir = tempDir();
    const dbFile = join(dir, 'tessera.db');
    const server = servers.spawn({ DATABASE_URL: dbFile });
    await registerUser(await server.listening, 'copied@example.com');
    await server.stop();

    const db = new Database(dbFile, { readonly: true });
    const rows = db.prepare('select private_jwk as jwk from signing_keys').all() as { jwk: string }[];
    db.close();
    for (const { jwk } of rows) {
      expect(jwk).toMatch(/^v1\./);
      expect(jwk).not.toContain('"d"');
    }

    const thief = tempDir();
    copyFileSync(dbFile, join(thief, 'tessera.db'));
    const onTheCopy = servers.spawn({ DATABASE_URL: join(thief, 'tessera.db') });
    expect(await onTheCopy.exited).toBe(1);
    expect(onTheCopy.output().stderr).toMatch(/unknown key/);
  });

  it('takes the key from SECRET_KEY, re-sealing what a secret.key file had sealed, and rotates to a new SECRET_KEY', async () => {
    const dir = tempDir();
    const dbFile = join(dir, 'tessera.db');
    const first = servers.spawn({ DATABASE_URL: dbFile });
    const url = await first.listening;
    await registerUser(url, 'rotate-kek@example.com');
    await first.stop();
    const fileKey = readFileSync(join(dirname(dbFile), 'secret.key'), 'utf8').trim();

    const envKey = Buffer.alloc(32, 7).toString('base64');
    const withEnv = servers.spawn({ DATABASE_URL: dbFile, SECRET_KEY: envKey });
    await registerUser(await withEnv.listening, 'env-kek@example.com');
    await withEnv.stop();
    expect(fileKey).not.toBe(envKey);

    const rotatedKey = Buffer.alloc(32, 9).toString('base64');
    const rotated = servers.spawn({ DATABASE_URL: dbFile, SECRET_KEY: rotatedKey, SECRET_KEY_PREVIOUS: envKey });
    await registerUser(await rotated.listening, 'rotated-kek@example.com');
    await rotated.stop();
    // Everything was sealed anew: the previous key is no longer needed.
    const afterwards = servers.spawn({ DATABASE_URL: join(dir, 'tessera.db'), SECRET_KEY: rotatedKey });
    await registerUser(await afterwards.listening, 'after-kek@example.com');
  });

  it('refuses a SECRET_KEY that is not 32 bytes of base64', async () => {
    const server = servers.spawn({ DATABASE_URL: join(tempDir(), 'tessera.db'), SECRET_KEY: 'too-short' });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('SECRET_KEY: must be 32 random bytes in base64');
  });
});
