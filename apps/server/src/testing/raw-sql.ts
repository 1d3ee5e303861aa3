import { isPostgresUrl } from '@tessera/db';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * Runs SQL on a test server's database from outside the server, on either engine: `database`
 * is its `dbFile` (a SQLite file or a PostgreSQL URL). Reads return their rows; for a statement
 * written differently per engine, pass both.
 *
 * @example
 * await rawSql(server.dbFile, 'select revoked_reason as reason from sessions');
 */
export async function rawSql(
  database: string,
  statement: string | { sqlite: string; postgres: string },
): Promise<unknown[]> {
  const postgres = isPostgresUrl(database);
  const text = typeof statement === 'string' ? statement : postgres ? statement.postgres : statement.sqlite;
  if (postgres) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(database);
  try {
    const prepared = db.prepare(text);
    if (prepared.reader) return prepared.all();
    prepared.run();
    return [];
  } finally {
    db.close();
  }
}
