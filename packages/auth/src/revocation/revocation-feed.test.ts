import { randomUUID } from 'node:crypto';
import { createDb, type DbHandle, sessions, users } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInThreadBackground } from '../engines/sqlite/background';
import { createSqliteStore } from '../engines/sqlite/store';
import { createPollingRevocationFeed, DEFAULT_OVERLAP_MS, type RevocationReader } from './revocation-feed';
import { type Revocation, RevocationList } from './revocation-list';

const t0 = Date.UTC(2026, 0, 1);
let handle: DbHandle;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(t0);
  handle = createDb(':memory:');
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: t0 }).run();
});
afterEach(() => {
  handle.close();
  vi.useRealTimers();
});

/** A session revoked at `revokedAt`, written as another process would: straight to the table. */
function revokedElsewhere(revokedAt: number): string {
  const id = randomUUID();
  const startedAt = t0 - 60_000;
  handle.db
    .insert(sessions)
    .values({
      id,
      userId: 'u1',
      createdAt: startedAt,
      lastUsedAt: startedAt,
      idleExpiresAt: startedAt + 600_000,
      absoluteExpiresAt: startedAt + 3_600_000,
      revokedAt,
      revokedReason: 'logout',
    })
    .run();
  return id;
}

function setup(reader: RevocationReader = createInThreadBackground(handle.db)) {
  const revoked = new RevocationList({ windowMs: 305_000, staleAfterMs: 5_000 });
  const feed = createPollingRevocationFeed({ reader, pollMs: 250 });
  return { revoked, feed };
}

describe('polling revocation feed', () => {
  it('loads the window on start, before anything is served', async () => {
    const recent = revokedElsewhere(t0 - 10_000);
    const tooOld = revokedElsewhere(t0 - 400_000);
    const { revoked, feed } = setup();

    await feed.start(revoked, revoked.horizon());
    expect(revoked.has(recent)).toBe(true);
    expect(revoked.has(tooOld)).toBe(false);
    await feed.stop();
  });

  it('catches up with revocations made after start, within one poll', async () => {
    const { revoked, feed } = setup();
    await feed.start(revoked, revoked.horizon());

    vi.setSystemTime(t0 + 1_000);
    const later = revokedElsewhere(Date.now());
    expect(revoked.has(later)).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    expect(revoked.has(later)).toBe(true);
    await feed.stop();
  });

  it('reads from its cursor minus the overlap, so a commit that lagged its own time is not missed', async () => {
    const asked: number[] = [];
    const drizzleReader = createInThreadBackground(handle.db);
    const reader: RevocationReader = {
      revokedAfter: (after) => {
        asked.push(after);
        return drizzleReader.revokedAfter(after);
      },
      close: async () => undefined,
    };
    const { revoked, feed } = setup(reader);
    await feed.start(revoked, revoked.horizon());

    vi.setSystemTime(t0 + 20_000);
    revokedElsewhere(t0 + 20_000);
    await vi.advanceTimersByTimeAsync(250);
    // The cursor moved to the newest time seen; the next read starts the overlap before it.
    vi.setSystemTime(t0 + 21_000);
    const lagging = revokedElsewhere(t0 + 15_000);
    await vi.advanceTimersByTimeAsync(250);

    expect(asked.at(-1)).toBe(t0 + 20_000 - DEFAULT_OVERLAP_MS);
    expect(revoked.has(lagging)).toBe(true);
    await feed.stop();
  });

  it('keeps one read outstanding at most: a stuck database shows as a growing lag, then stale', async () => {
    let reads = 0;
    let release: (rows: Revocation[]) => void = () => undefined;
    const stuck: RevocationReader = {
      revokedAfter: () => {
        reads++;
        // The second read hangs until released (a locked database); the others answer at once.
        if (reads !== 2) return Promise.resolve([]);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
      close: async () => undefined,
    };
    const { revoked, feed } = setup(stuck);
    await feed.start(revoked, revoked.horizon());

    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toBe(2);
    expect(revoked.isStale()).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(revoked.isStale()).toBe(true);

    release([]);
    await vi.advanceTimersByTimeAsync(250);
    // The released read is reported as of when it was made, which was long ago: another follows.
    expect(reads).toBeGreaterThanOrEqual(3);
    expect(revoked.isStale()).toBe(false);
    await feed.stop();
  });

  it('keeps polling after a failed read, and says what failed until a read succeeds', async () => {
    let failing = false;
    const drizzleReader = createInThreadBackground(handle.db);
    const flaky: RevocationReader = {
      revokedAfter: (after) =>
        failing ? Promise.reject(new Error('database is locked')) : drizzleReader.revokedAfter(after),
      close: async () => undefined,
    };
    const { revoked, feed } = setup(flaky);
    await feed.start(revoked, revoked.horizon());

    failing = true;
    await vi.advanceTimersByTimeAsync(6_000);
    expect(feed.lastError()).toBe('database is locked');
    expect(revoked.isStale()).toBe(true);

    failing = false;
    const meanwhile = revokedElsewhere(Date.now() - 3_000);
    await vi.advanceTimersByTimeAsync(250);
    expect(feed.lastError()).toBeNull();
    expect(revoked.isStale()).toBe(false);
    expect(revoked.has(meanwhile)).toBe(true);
    await feed.stop();
  });

  it('reports a change of the signing keys (another process rotated) on the next poll, once', async () => {
    const { revoked, feed } = setup();
    const sink = { caughtUp: revoked.caughtUp.bind(revoked), signingKeysChanged: vi.fn() };
    await feed.start(sink, revoked.horizon());
    // The first read reports: the keys may have changed since this process loaded them.
    expect(sink.signingKeysChanged).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(sink.signingKeysChanged).toHaveBeenCalledTimes(1);

    const key = { kid: 'k', publicJwk: '{}', privateJwk: 'sealed', createdAt: t0 };
    await createSqliteStore(handle.db).signingKeys.replaceActive(undefined, key, 0);
    await vi.advanceTimersByTimeAsync(250);
    expect(sink.signingKeysChanged).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(sink.signingKeysChanged).toHaveBeenCalledTimes(2);
    await feed.stop();
  });

  it('fails to start when the first read fails: a process must not serve without the window', async () => {
    const broken: RevocationReader = {
      revokedAfter: () => Promise.reject(new Error('no such table: sessions')),
      close: async () => undefined,
    };
    const { revoked, feed } = setup(broken);
    await expect(feed.start(revoked, revoked.horizon())).rejects.toThrow('no such table');
    await feed.stop();
  });
});
