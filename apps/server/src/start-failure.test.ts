import { describe, expect, it } from 'vitest';
import { loadEnv } from './env';
import { describeStartFailure } from './start-failure';

const env = loadEnv({ PORT: '4100', HOST: 'no-such-host.invalid', DATABASE_URL: '/readonly/tessera.db' });
const failure = (code: string, extra: Record<string, string> = {}) =>
  Object.assign(new Error(`${code}: something low-level`), { code, ...extra });

describe('describeStartFailure', () => {
  /** @see issue 10, point 5 */
  it.each([
    ['EADDRINUSE', /^PORT: 4100 is already in use on no-such-host\.invalid; set PORT/],
    ['ENOTFOUND', /^HOST: cannot listen on "no-such-host\.invalid" \(ENOTFOUND\)/],
    ['EACCES', /^DATABASE_URL: cannot create or write \/readonly \(EACCES\)/],
    ['EROFS', /^DATABASE_URL: cannot create or write \/readonly \(EROFS\)/],
    [
      'ENOTDIR',
      /^DATABASE_URL: cannot create the database \/readonly\/tessera\.db: \/readonly is a file, not a folder \(ENOTDIR\)/,
    ],
    [
      'EEXIST',
      /^DATABASE_URL: cannot create the database \/readonly\/tessera\.db: \/readonly is a file, not a folder \(EEXIST\)/,
    ],
    ['SQLITE_READONLY', /^DATABASE_URL: cannot write \/readonly\/tessera\.db \(SQLITE_READONLY\)/],
    ['SQLITE_READONLY_RECOVERY', /^DATABASE_URL: cannot write \/readonly\/tessera\.db \(SQLITE_READONLY_RECOVERY\)/],
  ])('names the setting for %s, in one line', (code, expected) => {
    const line = describeStartFailure(failure(code, { path: '/readonly' }), env);
    expect(line).toMatch(expected);
    expect(line).not.toContain('\n');
  });

  it('keeps an unexpected error’s own words, and its cause', () => {
    const error = new Error('Failed to run the migrations', { cause: new Error('table already exists') });
    expect(describeStartFailure(error, env)).toBe('Failed to run the migrations (table already exists)');
  });
});
