import { resolve } from 'node:path';
import { DatabaseOpenError } from './database';
import type { Env } from './env';

/**
 * One line that names the setting to change when the server cannot start: a port in use, a host
 * it cannot listen on, a database it cannot create or write. Anything unexpected keeps its own
 * message (and the database's words, which Drizzle puts in the cause).
 *
 * @example
 * describeStartFailure(error, env); // 'PORT: 3000 is already in use on localhost; set PORT to a free port (or 0 for any)'
 */
export function describeStartFailure(error: unknown, env: Env): string {
  if (error instanceof DatabaseOpenError) return error.message;
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const path =
    error instanceof Error && 'path' in error && typeof error.path === 'string' ? error.path : env.DATABASE_URL;
  switch (code) {
    case 'EADDRINUSE':
      return `PORT: ${env.PORT} is already in use on ${env.HOST}; set PORT to a free port (or 0 for any)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
      return `HOST: cannot listen on "${env.HOST}" (${code}); use an address of this machine, localhost, or 0.0.0.0 for all`;
    // A folder on the way to the database is a file (mkdir says EEXIST for the last, ENOTDIR above).
    case 'ENOTDIR':
    case 'EEXIST':
      return `DATABASE_URL: cannot create the database ${resolve(env.DATABASE_URL)}: ${path} is a file, not a folder (${code}); point DATABASE_URL into a folder, or move that file`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `DATABASE_URL: cannot create or write ${path} (${code}); choose a folder the server's user may write`;
    default: {
      // better-sqlite3 reports extended codes too (SQLITE_READONLY_RECOVERY, SQLITE_CANTOPEN_ISDIR).
      if (code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_CANTOPEN')) {
        return `DATABASE_URL: cannot write ${resolve(env.DATABASE_URL)} (${code}); the server's user must be able to write the file, its -wal and -shm files, and its folder`;
      }
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      return `${message}${cause}`;
    }
  }
}
