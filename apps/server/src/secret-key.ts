import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSecretBox, generateSecretKey, type SecretBox } from '@tessera/auth';
import type { Env } from './env';

/** Where the key-encryption key came from, for the start-up log line. */
export type SecretKeySource =
  | { kind: 'env' }
  | { kind: 'file'; path: string; created: boolean }
  /** An in-memory database: the key lives as long as the process, like the data. */
  | { kind: 'ephemeral' };

export interface LoadedSecretKey {
  box: SecretBox;
  source: SecretKeySource;
}

/** The key file's name, next to the SQLite file. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key-encryption key that seals the secrets in the database: `SECRET_KEY` when set, else
 * `secret.key` next to the database, created once (0600) with 32 random bytes. Keys in
 * `SECRET_KEY_PREVIOUS` (and a `secret.key` left from before `SECRET_KEY` was set) still open
 * what they sealed, which is sealed anew under the current key at start.
 *
 * @example
 * const { box, source } = loadSecretKey(env, db.file);
 */
export function loadSecretKey(env: Env, databaseFile: string | null): LoadedSecretKey {
  const previousKeys: Buffer[] = [...(env.SECRET_KEY_PREVIOUS ?? [])];
  if (env.SECRET_KEY) {
    const leftover = databaseFile === null ? null : readKeyFile(keyFilePath(databaseFile));
    if (leftover && !leftover.equals(env.SECRET_KEY)) previousKeys.push(leftover);
    return { box: createSecretBox({ key: env.SECRET_KEY, previousKeys }), source: { kind: 'env' } };
  }
  if (databaseFile === null) {
    return { box: createSecretBox({ key: generateSecretKey(), previousKeys }), source: { kind: 'ephemeral' } };
  }
  const path = keyFilePath(databaseFile);
  const { key, created } = readOrCreateKeyFile(path);
  return { box: createSecretBox({ key, previousKeys }), source: { kind: 'file', path, created } };
}

function keyFilePath(databaseFile: string): string {
  return join(dirname(databaseFile), SECRET_KEY_FILE);
}

function readKeyFile(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} must hold 32 random bytes in base64`);
  // Ours to keep private, whatever mode it was copied in with.
  chmodSync(path, 0o600);
  return key;
}

/** Two processes starting at once on a new database must end up with one key: `wx` decides. */
function readOrCreateKeyFile(path: string): { key: Buffer; created: boolean } {
  const existing = readKeyFile(path);
  if (existing) return { key: existing, created: false };
  const key = generateSecretKey();
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
      const raced = readKeyFile(path);
      if (raced) return { key: raced, created: false };
    }
    throw error;
  }
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  return { key, created: true };
}
