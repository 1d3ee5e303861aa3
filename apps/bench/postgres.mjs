// The benchmark's PostgreSQL (BENCH_DB=postgres): a database of its own for every server, created
// at the start on the server BENCH_DATABASE_URL names and dropped at the end. Nothing is created
// in the database that URL names; it is only where the benchmark connects to create the others
// and to find their backends (pg_stat_activity) for the CPU count.
import pg from 'pg';

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export async function openDatabases(baseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL) {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const prefix = `tessera_bench_${process.pid}_`;
  const created = [];
  return {
    /** Creates the database `<prefix><name>` and answers its URL. */
    async create(name) {
      const database = `${prefix}${name.replace(/\W/g, '_')}`;
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.query(`create database ${database}`);
      created.push(database);
      const url = new URL(baseUrl);
      url.pathname = `/${database}`;
      return { database, url: url.toString() };
    },
    /** The pids of the backends connected to `database` now. */
    async backendPids(database) {
      const { rows } = await admin.query('select pid from pg_stat_activity where datname = $1', [database]);
      return rows.map((row) => row.pid);
    },
    /** Drops every database created here (their servers stopped or not) and disconnects. */
    async dropAll() {
      for (const database of created) {
        await admin.query(`drop database if exists ${database} with (force)`).catch((error) => {
          console.error(`could not drop ${database}: ${error.message}`);
        });
      }
      await admin.end();
    },
  };
}
