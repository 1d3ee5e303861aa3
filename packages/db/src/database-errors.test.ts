import { sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { drizzle } from 'drizzle-orm/node-postgres';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isUnstorableText, withoutQueryParameters } from './database-errors';
import { createTestPgDatabase, NO_POSTGRES_REASON, TEST_DATABASE_URL } from './engines/postgres/testing';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a lost or refused connection, also wrapped by Drizzle', () => {
    expect(isDatabaseUnavailable(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    const wrapped = new DrizzleQueryError('select 1', [], withCode('the database system is starting up', '57P03'));
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('does not excuse a wrong query or a broken schema', () => {
    expect(isDatabaseUnavailable(withCode('relation "sessions" does not exist', '42P01'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('no such table: sessions'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});

describe('isUnstorableText', () => {
  it('recognises text the database cannot store (22021, 22P05), also wrapped by Drizzle', () => {
    expect(isUnstorableText(withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'))).toBe(true);
    const wrapped = new DrizzleQueryError('insert into "notes" …', [], withCode('has no equivalent', '22P05'));
    expect(isUnstorableText(wrapped)).toBe(true);
  });

  it('does not excuse any other failure', () => {
    expect(isUnstorableText(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isUnstorableText(withCode('terminating connection due to administrator command', '57P01'))).toBe(false);
    expect(isUnstorableText(new Error('invalid byte sequence'))).toBe(false);
    expect(isUnstorableText(undefined)).toBe(false);
  });
});

if (TEST_DATABASE_URL === null) console.warn(NO_POSTGRES_REASON);

describe.skipIf(TEST_DATABASE_URL === null)('isUnstorableText (PostgreSQL)', () => {
  it('recognises PostgreSQL refusing a NUL, as Drizzle reports it', async () => {
    const database = await createTestPgDatabase();
    const db = drizzle(database.url);
    try {
      const failure = await db.execute(sql`select ${'a\u0000b'}::text`).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DrizzleQueryError);
      expect(isUnstorableText(failure)).toBe(true);
      expect(isDatabaseUnavailable(failure)).toBe(false);
    } finally {
      await db.$client.end();
      await database.drop();
    }
  });
});

describe('withoutQueryParameters', () => {
  it('withholds the values from a failed query’s message and stack, and keeps the statement', () => {
    const error = new DrizzleQueryError(
      'insert into "users" ("id", "email", "password_hash") values ($1, $2, $3)',
      ['u1', 'ada@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
      new Error('boom'),
    );
    for (const text of [error.message, error.stack ?? '']) {
      const cleaned = withoutQueryParameters(text);
      expect(cleaned).toContain('insert into "users"');
      expect(cleaned).toContain('params: [withheld]');
      expect(cleaned).not.toMatch(/ada@example\.com|argon2id/);
    }
    expect(withoutQueryParameters(error.stack ?? '')).toMatch(/\n\s+at /);
  });
});
