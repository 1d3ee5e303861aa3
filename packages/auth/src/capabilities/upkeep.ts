import type { DatabaseHealth } from '@tessera/db';
import type { MailSender, MailSenderLog, MailTransport } from '@tessera/mail';
import type { PruneResult } from '../revocation/housekeeping';
import type { AuthContext } from './context';

/** What the server runs beside the requests: timed housekeeping, health, key rotation, the mail sender, shutdown. */
export function upkeepCapability({ config, store, background, keys, startMailSender, close, now }: AuthContext) {
  return {
    /**
     * Prunes long-ended sessions, spent throttle counters, mailed tokens and outbox rows done with,
     * and expired passkey challenges, in batches; the server runs it hourly.
     */
    pruneExpired(): Promise<PruneResult> {
      return store.pruneExpired(now());
    },

    /** Whether the database would take a write now (in the background: a lock cannot stall requests). */
    databaseWriteHealth(): Promise<DatabaseHealth> {
      return background.writeHealth();
    },

    /** Clears refresh successors whose grace window has passed; the server runs it every few seconds. */
    expireGraceSuccessors(): Promise<number> {
      return background.expireGraceSuccessors(now() - config.refreshReuseGrace * 1000);
    },

    /**
     * Replaces the signing key now; old tokens stay valid until they expire. With `revoke` (a
     * key has leaked), every other key is distrusted at once: their tokens are refused (honest
     * clients refresh onto the new key). Resolves to the new kid and the kids revoked.
     */
    rotateSigningKey(options: { revoke?: boolean } = {}): Promise<{ kid: string; revoked: string[] }> {
      return keys.rotate(options);
    },

    /**
     * Starts sending what the outbox holds through `transport` (see `startMailSender`), and
     * wakes it whenever a mail is queued. `close` stops it.
     */
    startMailSender(transport: MailTransport, log: MailSenderLog): MailSender {
      return startMailSender(transport, log);
    },

    /** Stops following other processes' revocations and the background work. Call before closing the database. */
    close(): Promise<void> {
      return close();
    },
  };
}
