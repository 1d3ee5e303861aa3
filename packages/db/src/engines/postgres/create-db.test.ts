import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgDb, isPostgresUrl, type PgDbHandle } from './create-db';
import { createTestPgDatabase, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPgDatabase } from './testing';

const journal = JSON.parse(
  readFileSync(new URL('../../../drizzle-pg/meta/_journal.json', import.meta.url), 'utf8'),
) as {
  entries: unknown[];
};
const opened: PgDbHandle[] = [];
const databases: TestPgDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((handle) => handle.close()));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function newDatabase(): Promise<string> {
  const database = await createTestPgDatabase();
  databases.push(database);
  return database.url;
}

describe('isPostgresUrl', () => {
  it('tells a PostgreSQL URL from a SQLite path', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h:5432/db?sslmode=require')).toBe(true);
    expect(isPostgresUrl('./data/tessera.db')).toBe(false);
    expect(isPostgresUrl('file:./postgres.db')).toBe(false);
  });
});

if (TEST_DATABASE_URL === null) console.warn(NO_POSTGRES_REASON);

describe.skipIf(TEST_DATABASE_URL === null)('createPgDb (PostgreSQL)', () => {
  it('creates the schema on an empty database, with the same tables as SQLite', async () => {
    const handle = await createPgDb(await newDatabase());
    opened.push(handle);
    const { rows } = await handle.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(rows.map((row) => row.table_name)).toEqual([
      'auth_events',
      'email_tokens',
      'identities',
      'mail_outbox',
      'oauth_requests',
      'passkeys',
      'pending_sign_ins',
      'rate_limits',
      'recovery_codes',
      'refresh_tokens',
      'sessions',
      'signing_keys',
      'users',
      'webauthn_challenges',
    ]);
  });

  it('lets four instances start at once on an empty database: one migrates, none races', async () => {
    const url = await newDatabase();
    const handles = await Promise.all([1, 2, 3, 4].map(() => createPgDb(url, { poolMax: 2 })));
    opened.push(...handles);
    const [first] = handles;
    const { rows } = await (first as PgDbHandle).pool.query<{ count: string }>(
      'select count(*) as count from drizzle.__drizzle_migrations',
    );
    // Each migration recorded once: nobody ran one a second time.
    expect(Number(rows[0]?.count)).toBe(journal.entries.length);
  });

  it('keeps the data across a restart and migrates nothing twice', async () => {
    const url = await newDatabase();
    const first = await createPgDb(url);
    await first.pool.query(
      "insert into users (id, email, password_hash, created_at) values ('u1', 'ada@example.com', 'h', 1)",
    );
    await first.close();
    const second = await createPgDb(url);
    opened.push(second);
    const { rows } = await second.pool.query('select email from users');
    expect(rows).toEqual([{ email: 'ada@example.com' }]);
  });

  it('reads epoch milliseconds back as numbers', async () => {
    const handle = await createPgDb(await newDatabase());
    opened.push(handle);
    const at = Date.UTC(2026, 10, 29, 12, 0, 0, 123);
    await handle.db.insert(handle.db._.fullSchema.users).values({
      id: 'u1',
      email: 'ada@example.com',
      passwordHash: 'h',
      createdAt: at,
    });
    const [row] = await handle.db.select().from(handle.db._.fullSchema.users);
    expect(row?.createdAt).toBe(at);
  });

  it('fails to start with the server unreachable, and leaves no pool behind', async () => {
    await expect(createPgDb('postgres://postgres@127.0.0.1:1/none', { poolMax: 1 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports an idle connection killed by the server, and serves the next query on a new one', async () => {
    const errors: Error[] = [];
    const handle = await createPgDb(await newDatabase(), { poolMax: 1, onIdleError: (error) => errors.push(error) });
    opened.push(handle);
    const { rows } = await handle.pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    const killer = new pg.Client({ connectionString: TEST_DATABASE_URL ?? undefined });
    await killer.connect();
    await killer.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
    await killer.end();
    await expect.poll(() => errors.length).toBe(1);
    const again = await handle.pool.query<{ ok: number }>('select 1 as ok');
    expect(again.rows).toEqual([{ ok: 1 }]);
  });
});
