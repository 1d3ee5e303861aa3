/**
 * `@tessera/auth/sqlite`: the auth store on one SQLite file (better-sqlite3 through Drizzle), and
 * the timed work in a worker thread (or in-thread, for tests and tools). The only door to this
 * engine: nothing outside `engines/sqlite/` imports the driver or the SQLite tables.
 */
export { createInThreadBackground } from './background';
export { createSqliteStore } from './store';
export { createSqliteWorker } from './worker';
