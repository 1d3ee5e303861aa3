import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests may use (`TEST_DATABASE_URL`), or null. `.ci/run` sets it, so CI
 * never skips the Postgres suites; elsewhere they are skipped and say so.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;

/** Why a Postgres suite did not run, printed where it would have. */
export const NO_POSTGRES_REASON = 'TEST_DATABASE_URL is not set: the PostgreSQL suites are skipped';

/**
 * Whether the PostgreSQL cases are skipped here: only outside CI, when no test server is given.
 * In CI (`CI=true`) they always run, and without TEST_DATABASE_URL they fail (with
 * {@link NO_POSTGRES_REASON}) rather than skip: CI runs every suite, 0 skipped.
 */
export const SKIP_POSTGRES = TEST_DATABASE_URL === null && process.env.CI !== 'true';

/** Why a Postgres case failed in CI without a test server. */
const POSTGRES_REQUIRED_REASON = 'TEST_DATABASE_URL is not set: CI runs the PostgreSQL suites, never skips them';

export interface TestPgDatabase {
  /** The new, empty database's URL. */
  url: string;
  /** Drops it, ending any connection still open on it. */
  drop(): Promise<void>;
}

/**
 * A new, empty database of its own on the test server, for one test file or test.
 *
 * @example
 * const database = await createTestPgDatabase();
 * afterAll(() => database.drop());
 */
export async function createTestPgDatabase(): Promise<TestPgDatabase> {
  if (TEST_DATABASE_URL === null) throw new Error(SKIP_POSTGRES ? NO_POSTGRES_REASON : POSTGRES_REQUIRED_REASON);
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL ?? undefined });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
