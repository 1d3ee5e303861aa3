import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type DbHandle } from '@tessera/db';
import { holdSqliteLocks } from '@tessera/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEmailTokenFor } from '../../mailed-links/email-tokens';
import type { BackgroundDb } from '../../store/background';
import { createInThreadBackground } from './background';
import { createSqliteWorker } from './worker';

let dir: string;
let handles: DbHandle[];
let workers: BackgroundDb[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-worker-'));
  handles = [];
  workers = [];
});
afterEach(async () => {
  for (const worker of workers) await worker.close();
  for (const handle of handles) handle.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A database file with one user, sessions revoked at 500, 1000 and 2000, tokens awaiting their grace, and two keys. */
function seeded(name: string): DbHandle {
  const handle = createDb(join(dir, name));
  handles.push(handle);
  handle.db.$client.exec(`
    insert into users (id, email, password_hash, created_at) values ('u1', 'ada@example.com', 'x', 0);
    insert into sessions (id, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at, revoked_at)
      values ('s1', 'u1', 0, 0, 9000, 9000, 1000), ('s2', 'u1', 0, 0, 9000, 9000, 2000),
             ('s3', 'u1', 0, 0, 9000, 9000, null), ('s4', 'u1', 0, 0, 9000, 9000, 500);
    insert into refresh_tokens (id, session_id, token_hash, issued_at, replaced_at, successor_sealed)
      values ('t1', 's3', 'h1', 0, 1000, 'sealed'), ('t2', 's3', 'h2', 0, 5000, 'sealed');
    insert into signing_keys (kid, public_jwk, private_jwk, created_at, retired_at, revoked_at)
      values ('a', '{}', 'x', 1, 2, null), ('b', '{}', 'x', 2, null, null);
  `);
  return handle;
}

function worker(handle: DbHandle): BackgroundDb {
  const started = createSqliteWorker(handle.file ?? '');
  workers.push(started);
  return started;
}

const resetFor = (email: string, tokenHash: string, mailId: string): NewEmailTokenFor => ({
  email,
  purpose: 'password_reset',
  tokenHash,
  expiresAt: 10_000,
  mail: { id: mailId, recipient: email, sealedMessage: `sealed ${mailId}` },
});

/** Every method of the background, in an order that reaches each branch; what each answered. */
async function exercise(background: BackgroundDb): Promise<unknown[]> {
  return [
    await background.revokedAfter(900),
    await background.revokedAfter(2_000),
    await background.signingKeysVersion(),
    await background.expireGraceSuccessors(1_001),
    await background.expireGraceSuccessors(1_001),
    await background.issueEmailTokenFor(resetFor('ada@example.com', 'r1', 'm1'), 10),
    await background.issueEmailTokenFor(resetFor('ada@example.com', 'r2', 'm2'), 11),
    await background.issueEmailTokenFor(resetFor('nobody@example.com', 'r3', 'm3'), 12),
    await background.claimDueMail(9, 100, 10),
    await background.claimDueMail(11, 100, 1),
    await background.claimDueMail(11, 100, 10),
    await background.retryMailAt('m1', 50, 'connect ECONNREFUSED'),
    await background.claimDueMail(50, 200, 10),
    await background.markMailSent('m1', 60),
    await background.markMailFailed('m2', 61, 'gave up'),
    await background.claimDueMail(10_000, 20_000, 10),
    await background.writeHealth(),
  ];
}

/** What the background may have changed, but the random ids of the mailed tokens. */
const contents = ({ db }: DbHandle) =>
  Object.fromEntries(
    ['sessions', 'refresh_tokens', 'signing_keys', 'mail_outbox', 'email_tokens'].map((table) => [
      table,
      db.$client
        .prepare<[], Record<string, unknown>>(`select * from ${table} order by rowid`)
        .all()
        .map((row) => (table === 'email_tokens' ? { ...row, id: 'random' } : row)),
    ]),
  );

describe('createSqliteWorker', () => {
  /** The worker runs the in-thread rules' statements (derived: `toSQL()`); this proves it does what they do. */
  it('answers every method as the in-thread background does, and leaves the same rows', async () => {
    const inThread = seeded('in-thread.db');
    const inWorker = seeded('worker.db');
    const answers = await exercise(createInThreadBackground(inThread.db));
    expect(await exercise(worker(inWorker))).toEqual(answers);
    expect(contents(inWorker)).toEqual(contents(inThread));
    expect(answers.slice(0, 3)).toEqual([
      [
        { sessionId: 's1', revokedAt: 1_000, reason: null },
        { sessionId: 's2', revokedAt: 2_000, reason: null },
      ],
      [],
      'a:2: b::',
    ]);
  });

  /** @see issue 10, point 2: /healthz must prove a write path, not just a read. */
  it('proves the database writable without writing, and without waiting on another writer', async () => {
    const handle = seeded('health.db');
    const background = worker(handle);
    const versionBefore = handle.db.$client.pragma('user_version', { simple: true });
    expect(await background.writeHealth()).toBe('ok');
    expect(handle.db.$client.pragma('user_version', { simple: true })).toBe(versionBefore);

    // Another connection mid-transaction holds the write lock: writable all the same, at once.
    handle.db.$client.exec('begin immediate');
    try {
      const startedAt = Date.now();
      expect(await background.writeHealth()).toBe('ok');
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    } finally {
      handle.db.$client.exec('rollback');
    }
  });

  it('reports a connection that refuses writes as read-only (in-thread, on the caller’s connection)', async () => {
    const handle = seeded('read-only.db');
    const inThread = createInThreadBackground(handle.db);
    expect(await inThread.writeHealth()).toBe('ok');
    handle.db.$client.pragma('query_only = ON');
    expect(await inThread.writeHealth()).toBe('read-only');
    handle.db.$client.pragma('query_only = OFF');
  });

  it('keeps the event loop free while the database is locked by another process', async () => {
    const handle = seeded('locked.db');
    const background = worker(handle);
    const lock = await holdSqliteLocks(handle.file ?? '');
    try {
      const read = background.revokedAfter(0);
      let settled = false;
      void read.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Were the read on this thread, SQLite's retries would block it for about ten seconds.
      const started = Date.now();
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          ticks++;
          if (ticks === 10) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(settled).toBe(false);
      await lock.release();
      expect(await read).toHaveLength(3);
    } finally {
      await lock.release();
    }
  });

  it('reports a failed read as a rejection and serves the next one', async () => {
    const handle = seeded('present.db');
    const missing = worker({ ...handle, file: join(dir, 'no-such.db') });
    await expect(missing.revokedAfter(0)).rejects.toThrow(/unable to open|does not exist|no such file/i);
    expect(await worker(handle).revokedAfter(1_500)).toEqual([{ sessionId: 's2', revokedAt: 2_000, reason: null }]);
  });
});
