import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './create-db';
import { users } from './schema';

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

describe('createDb', () => {
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
          "insert into sessions (id, user_id, rotation_secret, created_at, last_used_at, idle_expires_at, absolute_expires_at) values (?, ?, 'k', 0, 0, 0, 0)",
        )
        .run('s1', 'missing-user');
    expect(insertOrphan).toThrow(/FOREIGN KEY/);
  });

  it('refuses a Postgres URL with a message that names the variable', () => {
    expect(() => createDb('postgres://127.0.0.1/test')).toThrow(/DATABASE_URL/);
  });
});
