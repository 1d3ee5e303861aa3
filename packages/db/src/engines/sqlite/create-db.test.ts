import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../schema';
import { createDb, type DbHandle } from './create-db';

const opened: DbHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-db-'));
  dirs.push(dir);
  return join(dir, 'nested', 'tessera.db');
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('createDb', () => {
  /** @see issue 8, finding 1: ./data and the database files were created 0755/0644. */
  it('creates its folder 0700 and the database, -wal and -shm files 0600, whatever the umask', () => {
    const file = tempFile();
    const before = process.umask(0o002);
    try {
      opened.push(createDb(file));
    } finally {
      process.umask(before);
    }
    expect(modeOf(dirname(file))).toBe(0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(path)).toBe(0o600);
    expect(opened[0]?.db.$client.pragma('secure_delete', { simple: true })).toBe(1);
  });

  it('tightens database files an older version left readable by others', () => {
    const file = tempFile();
    createDb(file).close();
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path)) chmodSync(path, 0o644);
    }
    opened.push(createDb(file));
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path)) expect(modeOf(path)).toBe(0o600);
    }
  });

  it('creates the file, its folder and the schema, with the pragmas the server relies on', () => {
    const handle = createDb(tempFile());
    opened.push(handle);
    const pragma = (name: string) => handle.db.$client.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('synchronous')).toBe(1); // NORMAL
    expect(pragma('busy_timeout')).toBe(5000);
    expect(handle.ping()).toBe(true);
    expect(handle.db.select().from(users).all()).toEqual([]);
  });

  it('opens an existing database again without re-running migrations', () => {
    const file = tempFile();
    const first = createDb(file);
    first.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: 1 }).run();
    first.close();
    const second = createDb(file);
    opened.push(second);
    expect(second.db.select({ email: users.email }).from(users).all()).toEqual([{ email: 'a@example.com' }]);
  });

  it('enforces foreign keys', () => {
    const handle = createDb(':memory:');
    opened.push(handle);
    const insertOrphan = () =>
      handle.db.$client
        .prepare(
          'insert into sessions (id, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at) values (?, ?, 0, 0, 0, 0)',
        )
        .run('s1', 'missing-user');
    expect(insertOrphan).toThrow(/FOREIGN KEY/);
  });

  it('refuses a Postgres URL with a message that names the variable', () => {
    expect(() => createDb('postgres://127.0.0.1/test')).toThrow(/DATABASE_URL/);
  });
});
