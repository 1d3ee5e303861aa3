import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type DbHandle, refreshTokens, sessions, users } from '@tessera/db';
import { holdSqliteLocks } from '@tessera/db/testing';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSession } from '../../sessions/sessions';
import { type BackgroundDb, createInThreadBackground } from './background';
import { createSqliteStore } from './store';
import { createSqliteWorker } from './worker';

const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
let dir: string;
let handle: DbHandle;
let reader: BackgroundDb;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-reader-'));
  handle = createDb(join(dir, 'tessera.db'));
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: 0 }).run();
  reader = createSqliteWorker(join(dir, 'tessera.db'));
});
afterEach(async () => {
  await reader.close();
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function revoke(revokedAt: number): string {
  const { sessionId } = startSession(
    handle.db,
    lifetimes,
    { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
    0,
  );
  handle.db.update(sessions).set({ revokedAt, revokedReason: 'logout' }).where(eq(sessions.id, sessionId)).run();
  return sessionId;
}

describe('createSqliteWorker', () => {
  /** @see issue 10, point 2: /healthz must prove a write path, not just a read. */
  it('proves the database writable without writing, and without waiting on another writer', async () => {
    const versionBefore = handle.db.$client.pragma('user_version', { simple: true });
    expect(await reader.writeHealth()).toBe('ok');
    expect(handle.db.$client.pragma('user_version', { simple: true })).toBe(versionBefore);

    // Another connection mid-transaction holds the write lock: writable all the same, at once.
    handle.db.$client.exec('begin immediate');
    try {
      const startedAt = Date.now();
      expect(await reader.writeHealth()).toBe('ok');
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    } finally {
      handle.db.$client.exec('rollback');
    }
  });

  it('reports a connection that refuses writes as read-only (in-thread, on the caller’s connection)', async () => {
    const inThread = createInThreadBackground(handle.db);
    expect(await inThread.writeHealth()).toBe('ok');
    handle.db.$client.pragma('query_only = ON');
    expect(await inThread.writeHealth()).toBe('read-only');
    handle.db.$client.pragma('query_only = OFF');
  });

  it('reads the signing keys’ version, the same as in-thread, changed by a rotation and a revocation', async () => {
    const inThread = createInThreadBackground(handle.db);
    const keys = createSqliteStore(handle.db).signingKeys;
    const key = (kid: string, createdAt: number) => ({ kid, publicJwk: '{}', privateJwk: 'sealed', createdAt });
    const versions = [await reader.signingKeysVersion()];
    await keys.replaceActive(undefined, key('a', 1_000), 0);
    versions.push(await reader.signingKeysVersion());
    await keys.replaceActive('a', key('b', 2_000), 0);
    versions.push(await reader.signingKeysVersion());
    expect(await inThread.signingKeysVersion()).toBe(versions.at(-1));
    expect(await keys.replaceRevokingAll(key('c', 3_000), 0)).toEqual(['a', 'b']);
    versions.push(await reader.signingKeysVersion());
    expect(new Set(versions).size).toBe(4);
  });

  it('reads the sessions revoked after a time, oldest first, on its own connection', async () => {
    const first = revoke(1_000);
    const second = revoke(2_000);
    revoke(500);
    expect(await reader.revokedAfter(900)).toEqual([
      { sessionId: first, revokedAt: 1_000 },
      { sessionId: second, revokedAt: 2_000 },
    ]);
    const third = revoke(3_000);
    expect(await reader.revokedAfter(2_000)).toEqual([{ sessionId: third, revokedAt: 3_000 }]);
  });

  it('keeps the event loop free while the database is locked by another process', async () => {
    const lock = await holdSqliteLocks(handle.file ?? '');
    try {
      const read = reader.revokedAfter(0);
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
      expect(await read).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it('clears the sealed successors of tokens replaced before a time', async () => {
    const { sessionId } = startSession(
      handle.db,
      lifetimes,
      { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
      0,
    );
    handle.db
      .update(refreshTokens)
      .set({ replacedAt: 1_000, successorSealed: 'v1.k.n.c' })
      .where(eq(refreshTokens.sessionId, sessionId))
      .run();
    expect(await reader.expireGraceSuccessors(1_000)).toBe(0);
    expect(await reader.expireGraceSuccessors(1_001)).toBe(1);
    expect(handle.db.select({ sealed: refreshTokens.successorSealed }).from(refreshTokens).all()).toEqual([
      { sealed: null },
    ]);
  });

  it('reports a failed read as a rejection and serves the next one', async () => {
    const missing = createSqliteWorker(join(dir, 'no-such.db'));
    await expect(missing.revokedAfter(0)).rejects.toThrow(/unable to open|does not exist|no such file/i);
    await missing.close();
    expect(await reader.revokedAfter(0)).toEqual([]);
  });
});
