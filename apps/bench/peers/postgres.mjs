// The PostgreSQL pool every peer server opens when the benchmark runs with BENCH_DB=postgres: as
// many connections as Tessera keeps (DATABASE_POOL_MAX, 10), so no peer is measured with more.
import pg from 'pg';

export const POOL_MAX = 10;

/** A pool on `url`, or undefined when the peer runs on SQLite (no DATABASE_URL). */
export function openPool(url) {
  return url ? new pg.Pool({ connectionString: url, max: POOL_MAX }) : undefined;
}
