import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseLabel } from './database';

describe('databaseLabel', () => {
  it('names a SQLite file by its absolute path, whichever way DATABASE_URL wrote it', () => {
    expect(databaseLabel('./data/tessera.db')).toBe(resolve('data/tessera.db'));
    expect(databaseLabel('file:./data/x.db')).toBe(resolve('data/x.db'));
    expect(databaseLabel('file:///srv/tessera.db')).toBe('/srv/tessera.db');
    expect(databaseLabel(':memory:')).toBe(':memory:');
  });

  it('names a PostgreSQL database by user, host, port and name, never its password or parameters', () => {
    const label = databaseLabel('postgres://app:s3cret@db.internal/tessera?sslmode=require&password=x');
    expect(label).toBe('postgres://app@db.internal:5432/tessera');
    expect(databaseLabel('postgresql://db:6543/other')).toBe('postgresql://db:6543/other');
    expect(databaseLabel('postgres://[bad')).toBe('PostgreSQL (DATABASE_URL is not a valid URL)');
  });
});
