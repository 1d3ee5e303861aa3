import { withoutQueryParameters } from '@tessera/db';
import type { Revocation } from './revocation-list';

/** What a feed reports to; `RevocationList` is one. */
export interface RevocationSink {
  /** The database was read at `asOf` (epoch ms) and held these revocations (maybe none). */
  caughtUp(revocations: readonly Revocation[], asOf: number): void;
  /**
   * The signing keys may have changed in the database (another process rotated or revoked one):
   * reload them. Also called once a feed starts, and after anything that may have missed a change.
   */
  signingKeysChanged?(): void;
}

/**
 * How a process learns of the sessions other processes end, and of their rotations of the
 * signing keys. SQLite polls (`createPollingRevocationFeed`, over the worker's `BackgroundDb`);
 * PostgreSQL pushes (`createListeningRevocationFeed` of `@tessera/auth/postgres`: LISTEN/NOTIFY).
 *
 * @example
 * await feed.start(revocationList, Date.now() - windowMs); // before the server listens
 * await feed.stop();
 */
export interface RevocationFeed {
  /**
   * Reports every revocation after `since` (epoch ms), then keeps reporting new ones until
   * `stop()`. Resolves once the first read has been reported; rejects if that read fails.
   */
  start(sink: RevocationSink, since: number): Promise<void>;
  /** The last read error, for the operator; null once a read succeeds again. */
  lastError(): string | null;
  stop(): Promise<void>;
}

/** Reads the sessions revoked after a time: the one query a polling feed needs. */
export interface RevocationReader {
  /** Sessions whose `revoked_at` is greater than `after` (epoch ms). */
  revokedAfter(after: number): Promise<Revocation[]>;
  /**
   * A value that changes whenever a signing key is added, retired, revoked or deleted: a polling
   * feed reads it with the revocations, and reports a change. Without it, a process sees another's
   * rotation only when its keys next reload by themselves (within a minute).
   */
  signingKeysVersion?(): Promise<string>;
  close(): Promise<void>;
}

export interface PollingFeedOptions {
  reader: RevocationReader;
  /** Milliseconds between reads (`REVOCATION_POLL_MS`). */
  pollMs: number;
  /**
   * How far behind the newest revocation seen each read starts again. A revocation's time is
   * taken before its write waits for the lock and commits, so a row can become visible with a
   * time older than one already seen; re-reading this margin catches it (the list dedupes).
   */
  overlapMs?: number;
  now?: () => number;
}

/** The database's busy timeout (5 s) plus the clock leeway (5 s): the most a commit can lag its time. */
export const DEFAULT_OVERLAP_MS = 10_000;

/**
 * A feed that asks the database for revocations after a cursor every `pollMs`, and for the
 * signing keys' version (reporting a change: another process rotated). At most one
 * read is outstanding: while the database is locked, reads are not piled up, and the sink's
 * lag grows, which is how staleness shows.
 *
 * @example
 * const feed = createPollingRevocationFeed({ reader: createSqliteWorker(file), pollMs: 250 });
 */
export function createPollingRevocationFeed(options: PollingFeedOptions): RevocationFeed {
  const now = options.now ?? Date.now;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  // The cursor: the newest revocation time read so far.
  let newestSeen = 0;
  // The signing keys' version last read; undefined before the first read, which reports a change.
  let keysVersion: string | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let reading: Promise<void> | null = null;
  let error: string | null = null;

  const read = async (sink: RevocationSink): Promise<void> => {
    const asOf = now();
    const [revocations, version] = await Promise.all([
      options.reader.revokedAfter(newestSeen - overlapMs),
      options.reader.signingKeysVersion?.(),
    ]);
    for (const { revokedAt } of revocations) newestSeen = Math.max(newestSeen, revokedAt);
    error = null;
    sink.caughtUp(revocations, asOf);
    if (version !== undefined && version !== keysVersion) {
      keysVersion = version;
      sink.signingKeysChanged?.();
    }
  };

  const tick = (sink: RevocationSink) => {
    if (reading) return;
    reading = read(sink)
      .catch((failure: unknown) => {
        error = withoutQueryParameters(failure instanceof Error ? failure.message : String(failure));
      })
      .finally(() => {
        reading = null;
      });
  };

  return {
    async start(sink, since) {
      newestSeen = since;
      await read(sink);
      timer = setInterval(() => tick(sink), options.pollMs);
      timer.unref();
    },
    lastError: () => error,
    async stop() {
      clearInterval(timer);
      await reading;
      await options.reader.close();
    },
  };
}
