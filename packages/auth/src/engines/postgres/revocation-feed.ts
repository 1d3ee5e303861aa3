import { withoutQueryParameters } from '@tessera/db';
import pg from 'pg';
import {
  DEFAULT_OVERLAP_MS,
  type RevocationFeed,
  type RevocationReader,
  type RevocationSink,
} from '../../revocation/revocation-feed';

/** The channel the `sessions_revocation_notify` trigger announces ended sessions on. */
export const REVOCATION_CHANNEL = 'tessera_revocations';
/** The channel a rotation (or revocation) of the signing keys is announced on; see `pgKeySteps` (engines/postgres/signing-keys.ts). */
export const SIGNING_KEYS_CHANNEL = 'tessera_signing_keys';
/** How the listening connection names itself in `pg_stat_activity`, for operators. */
export const LISTENER_APPLICATION_NAME = 'tessera revocation listener';

export interface ListeningFeedOptions {
  /** The database to LISTEN on: a connection of its own, outside the pool. */
  url: string;
  /** Reads what was revoked while not listening (at start and after every reconnect). */
  reader: RevocationReader;
  /** Milliseconds between round trips on the listening connection, each proving it current. */
  heartbeatMs?: number;
  /**
   * Milliseconds a heartbeat (or the LISTEN of a new connection) may wait for its answer; past
   * that the connection is dropped and replaced. A network path that froze answers nothing and
   * reports no error, so waiting without a bound would keep a dead listener for good.
   */
  heartbeatTimeoutMs?: number;
  /** Milliseconds between attempts to reconnect a lost listener. */
  reconnectMs?: number;
  /** How far behind the newest revocation seen a catch-up read starts (see the polling feed). */
  overlapMs?: number;
  now?: () => number;
}

/**
 * Revocations pushed by PostgreSQL: one connection LISTENs on {@link REVOCATION_CHANNEL}, and a
 * session ended by any instance reaches every other at its commit; on {@link SIGNING_KEYS_CHANNEL}
 * too, and a rotation of the signing keys has every instance reload them (and so does every
 * (re)connection, which may have missed one). A heartbeat round trip every
 * `heartbeatMs` tells the sink the list is current (a notification committed before it was sent
 * has arrived by its answer); one unanswered within `heartbeatTimeoutMs` drops the connection
 * (issue 20, finding 4: a frozen path never errs). A lost connection is reopened every
 * `reconnectMs`, LISTENs again and then reads what it missed from its cursor; until then nothing
 * reports the list current, so it turns stale (healthz 503, and protected procedures confirm
 * each session in the database) and the error is kept for the operator.
 *
 * @example
 * const feed = createListeningRevocationFeed({ url, reader: createPgBackground(db) });
 * await feed.start(revocationList, revocationList.horizon());
 */
export function createListeningRevocationFeed(options: ListeningFeedOptions): RevocationFeed {
  const now = options.now ?? Date.now;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  // Detected within a beat plus this and replaced within `reconnectMs` more: under the 5 s after
  // which the list turns stale, so one frozen connection costs no staleness.
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 2_000;
  const reconnectMs = options.reconnectMs ?? 500;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  let newestSeen = 0;
  let listener: pg.Client | null = null;
  let error: string | null = null;
  let stopped = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let beating = false;

  const fail = (failure: unknown) => {
    error = withoutQueryParameters(failure instanceof Error ? failure.message : String(failure));
  };

  const listen = async (sink: RevocationSink): Promise<void> => {
    // Bounded: a database that does not answer must not hold start-up (or a reconnect) forever.
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: 5_000,
      application_name: LISTENER_APPLICATION_NAME,
      // The kernel probes the connection too: a peer that vanished is noticed below the
      // heartbeat as well, and no middlebox drops the long-lived connection as idle.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (message.channel === SIGNING_KEYS_CHANNEL) {
        sink.signingKeysChanged?.();
        return;
      }
      // "<session id> <revoked_at> <revoked_reason>" (the reason since migration 0011; before, none).
      const [sessionId, at, reason] = (message.payload ?? '').split(' ');
      const revokedAt = Number(at);
      if (!sessionId || !Number.isSafeInteger(revokedAt)) return;
      newestSeen = Math.max(newestSeen, revokedAt);
      sink.caughtUp([{ sessionId, revokedAt, reason: reason || null }], now());
    });
    // A connection that errors also ends; 'end' alone schedules the one reconnect.
    client.on('error', fail);
    client.on('end', () => {
      if (listener === client) listener = null;
      if (!stopped) scheduleReconnect(sink);
    });
    try {
      await client.connect();
      await answeredWithin(
        client.query(`LISTEN ${REVOCATION_CHANNEL}; LISTEN ${SIGNING_KEYS_CHANNEL}`),
        heartbeatTimeoutMs,
        'LISTEN',
      );
      // Listening first, reading second: a revocation lands in one or the other, maybe both
      // (the list dedupes), never in neither. The same for the keys: they are read again.
      const asOf = now();
      const missed = await options.reader.revokedAfter(newestSeen - overlapMs);
      for (const { revokedAt } of missed) newestSeen = Math.max(newestSeen, revokedAt);
      sink.caughtUp(missed, asOf);
      sink.signingKeysChanged?.();
    } catch (failure) {
      client.removeAllListeners('end');
      drop(client);
      throw failure;
    }
    // Stopped while connecting: nothing may keep this connection open.
    if (stopped) {
      client.removeAllListeners('end');
      drop(client);
      return;
    }
    error = null;
    listener = client;
  };

  const scheduleReconnect = (sink: RevocationSink) => {
    clearTimeout(reconnect);
    reconnect = setTimeout(() => {
      listen(sink).catch((failure: unknown) => {
        fail(failure);
        if (!stopped) scheduleReconnect(sink);
      });
    }, reconnectMs);
    reconnect.unref();
  };

  const beat = async (sink: RevocationSink) => {
    const client = listener;
    if (!client || beating) return;
    beating = true;
    try {
      const asOf = now();
      await answeredWithin(client.query('select 1'), heartbeatTimeoutMs, 'The listening connection');
      sink.caughtUp([], asOf);
    } catch (failure) {
      fail(failure);
      // Dropped, its 'end' reconnects and catches up; until then the list turns stale.
      drop(client);
    } finally {
      beating = false;
    }
  };

  return {
    async start(sink, since) {
      newestSeen = since;
      await listen(sink);
      heartbeat = setInterval(() => void beat(sink), heartbeatMs);
      heartbeat.unref();
    },
    lastError: () => error,
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      clearTimeout(reconnect);
      const client = listener;
      listener = null;
      // A polite goodbye, but not waited on for ever: a frozen path would never carry it.
      if (client) await answeredWithin(client.end(), heartbeatTimeoutMs, 'Closing').catch(() => drop(client));
    },
  };
}

/**
 * Drops a connection at once. `end()` marks the end as ours (no "terminated unexpectedly"
 * error after the one that caused it); destroying the socket makes it immediate, since a goodbye
 * on a frozen path would wait for ever. Its 'end' event follows.
 */
function drop(client: pg.Client): void {
  client.end().catch(() => undefined);
  client.connection.stream.destroy();
}

/** `work`, or a rejection once `timeoutMs` pass without its answer. */
async function answeredWithin<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
