import type { Step } from '../store/step';
import type { NewSigningKey, StoredSigningKey } from '../store/store';

/**
 * The single statements the key ring's writes are made of (`signing-key-rules.ts`), each engine
 * its own: `engines/sqlite/signing-keys.ts`, `engines/postgres/signing-keys.ts`.
 */
export interface KeySteps {
  /**
   * Serialises the key ring's writes across every process on the database, until the
   * transaction ends. PostgreSQL: an advisory lock (the first start of an empty database has no
   * row to lock). SQLite: nothing, the write transaction (IMMEDIATE) holds the lock already.
   */
  lockRing(): Step<unknown>;
  /**
   * Tells the other processes the keys changed, at commit, where the engine can push
   * (PostgreSQL: NOTIFY on `SIGNING_KEYS_CHANNEL`). Elsewhere nothing: they see it on their next
   * poll (`signingKeysVersion`).
   */
  announce(): Step<unknown>;
  /** Keys still signing or retired after `retiredAfter`, newest first. */
  verifiable(retiredAfter: number): Step<StoredSigningKey[]>;
  privateKeys(): Step<Array<{ kid: string; privateJwk: string }>>;
  setPrivateKey(kid: string, privateJwk: string): Step<unknown>;
  /** The key that signs (the newest not retired), as zero rows or one. */
  activeKey(): Step<Array<{ kid: string }>>;
  /** Retires every key that signs, at `at`. */
  retireActive(at: number): Step<unknown>;
  insert(key: NewSigningKey): Step<unknown>;
  deleteRetiredBefore(before: number): Step<unknown>;
  /** Revokes every key not revoked yet, at `at`; the kids it revoked. */
  revokeAll(at: number): Step<Array<{ kid: string }>>;
}
