/**
 * Error handling (OWASP Error Handling cheat sheet): an unexpected failure reaches the client as
 * INTERNAL_SERVER_ERROR with a generic message and a request id; the stack and cause go to the
 * server log only.
 */
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../testing';

describe('unexpected errors', () => {
  it('become INTERNAL_SERVER_ERROR with a generic message and a request id; the stack and cause are logged server-side only', async () => {
    const logLines: string[] = [];
    const { app, db, dispose } = await buildTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => logLines.push(line) },
    });
    try {
      db.db.$client.exec('DROP TABLE sessions');
      const response = await app.inject({
        method: 'POST',
        url: '/trpc/auth.register',
        headers: { 'content-type': 'application/json' },
        payload: { email: 'boom@example.com', password: 'a strong password' },
      });
      expect(response.statusCode).toBe(500);
      const body = response.json() as { error: { message: string; data: Record<string, unknown> } };
      expect(body.error.message).toBe('Something went wrong on our side.');
      expect(body.error.data).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        httpStatus: 500,
        path: 'auth.register',
        reason: null,
        requestId: response.headers['x-request-id'],
      });
      expect(response.body).not.toMatch(/sessions|SQLITE|no such table|\.ts:|at /);

      const logged = logLines.map(
        (line) => JSON.parse(line) as { msg: string; reqId?: string; err?: { message: string; stack: string } },
      );
      const failure = logged.find((line) => line.msg === 'procedure failed');
      expect(failure?.reqId).toBe(response.headers['x-request-id']);
      expect(failure?.err?.message).toMatch(/no such table: sessions/);
      expect(failure?.err?.stack).toMatch(/\n\s+at /);
      expect(logLines.join('\n')).not.toContain('a strong password');
    } finally {
      await dispose();
    }
  });
});

/** @see issue 12, point 6: Drizzle's DrizzleQueryError carries every query parameter in its message. */
describe('a failing query', () => {
  it('is logged, never with its parameters (an email, a password hash)', async () => {
    const logLines: string[] = [];
    const { app, db, dispose } = await buildTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => logLines.push(line) },
    });
    try {
      // Every new account now breaks a rule: the INSERT fails with the email and hash in hand.
      db.db.$client.exec(
        "CREATE TRIGGER refuse_users BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'refused'); END",
      );
      const response = await app.inject({
        method: 'POST',
        url: '/trpc/auth.register',
        headers: { 'content-type': 'application/json' },
        payload: { email: 'leak-check@example.com', password: 'a strong password' },
      });
      expect(response.statusCode).toBe(500);
      const log = logLines.join('\n');
      // better-sqlite3's own error (Drizzle wraps only async drivers'); PostgreSQL's wrapped one
      // is checked in multi-instance.test.ts.
      expect(log).toMatch(/"msg":"procedure failed"/);
      expect(log).not.toContain('leak-check@example.com');
      expect(log).not.toMatch(/argon2id/);
    } finally {
      await dispose();
    }
  });
});

/** @see issue 8, finding 8: a mutation sent by GET was refused, but its `?input=…password…` was logged. */
describe('request logs', () => {
  it('log the path without the query string, so a password sent in a URL never reaches the log', async () => {
    const logLines: string[] = [];
    const { app, dispose } = await buildTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => logLines.push(line) },
    });
    try {
      const input = encodeURIComponent(JSON.stringify({ email: 'a@example.com', password: 'hunter2-in-the-url' }));
      const response = await app.inject({ method: 'GET', url: `/trpc/auth.login?input=${input}` });
      expect(response.statusCode).toBe(405);
      const incoming = logLines
        .map((line) => JSON.parse(line) as { msg: string; req?: { url?: string } })
        .find((line) => line.msg === 'request');
      expect(incoming?.req?.url).toBe('/trpc/auth.login');
      expect(logLines.join('\n')).not.toMatch(/hunter2|input=/);
    } finally {
      await dispose();
    }
  });

  it('warns loudly at start when RATE_LIMIT=off', async () => {
    const logLines: string[] = [];
    const { dispose } = await buildTestApp({
      env: { RATE_LIMIT: 'off', LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => logLines.push(line) },
    });
    await dispose();
    const warning = logLines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((line) => line.msg.startsWith('RATE_LIMIT=off'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/never in production/);
  });
});
