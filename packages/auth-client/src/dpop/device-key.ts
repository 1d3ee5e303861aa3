import { type ProofKey, type PublicJwk, thumbprint } from './proof';

/**
 * This browser's DPoP key: the private key signs proofs and cannot be exported (script injected
 * into the page can use it while it runs, but cannot carry it off); `jkt` is the RFC 7638
 * thumbprint a bound access token names in `cnf.jkt`.
 *
 * @example
 * const key: DeviceKey = await keys.loadOrCreate();
 * readClaims(accessToken)?.cnf; // { jkt: key.jkt } once the session is bound to it
 */
export interface DeviceKey extends ProofKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  readonly jkt: string;
}

/**
 * Where the device key lives. Every call reads the storage, which all tabs share: another tab
 * may have replaced or discarded the key since. The auth client keeps its own copy in memory.
 *
 * @example
 * const keys: DeviceKeyStore = createIndexedDbDeviceKeys();
 * const auth = createAuthClient({ url: '/trpc', dpop: keys });
 */
export interface DeviceKeyStore {
  /** The stored key, or `null` when there is none. */
  load(): Promise<DeviceKey | null>;
  /**
   * The stored key, or a new one stored now. Two tabs asking at once get the same key: the
   * first to store wins and the other uses it.
   */
  loadOrCreate(): Promise<DeviceKey>;
  /** Deletes the stored key: the next `loadOrCreate()` makes a new one. */
  discard(): Promise<void>;
}

/**
 * Makes a new P-256 key pair whose private key cannot be exported. The public key of a generated
 * pair is always exportable; its JWK and thumbprint are computed once, here.
 *
 * @example
 * const key = await generateDeviceKey();
 * key.privateKey.extractable; // false
 */
export async function generateDeviceKey(): Promise<DeviceKey & { readonly publicKey: CryptoKey }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
    throw new Error('WebCrypto exported an unexpected public key.');
  }
  const publicJwk: PublicJwk = { kty, crv, x, y };
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk, jkt: await thumbprint(publicJwk) };
}

/** The IndexedDB database, object store and record key that hold this browser's device key. */
export const DEVICE_KEY_DB = { name: 'tessera-dpop', store: 'keys', record: 'device' } as const;

/**
 * True when this environment has what a device key needs: IndexedDB, and WebCrypto (which
 * browsers offer only in secure contexts: https and localhost).
 *
 * @example
 * if (!deviceKeySupported()) console.info('no DPoP here');
 */
export function deviceKeySupported(): boolean {
  return typeof indexedDB !== 'undefined' && typeof globalThis.crypto?.subtle?.sign === 'function';
}

/**
 * Whether this browser can keep a device key: {@link deviceKeySupported}, and the database opens
 * (some private modes refuse IndexedDB). Without one the auth client sends no proofs, and the
 * server keeps the session unbound (a Bearer session).
 *
 * @example
 * if (!(await deviceKeyAvailable())) showNotice('This session is not bound to this device.');
 */
export async function deviceKeyAvailable(): Promise<boolean> {
  if (!deviceKeySupported()) return false;
  return openDatabase().then(
    () => true,
    () => false,
  );
}

let announced = false;

/**
 * Says once per page, on the console, that proofs are off and why: an operator wondering why
 * sessions are not bound finds the answer, and the console does not fill up with it.
 *
 * @example
 * announceDeviceKeyUnavailable('no IndexedDB or WebCrypto');
 */
export function announceDeviceKeyUnavailable(why: string): void {
  if (announced) return;
  announced = true;
  console.info(
    `Tessera: this browser cannot keep a device key (${why}); the session is not bound to this device (DPoP off).`,
  );
}

/**
 * The store the auth client uses unless told otherwise: IndexedDB where the environment has it,
 * else `false` (no proofs). In a browser without it, says so once on the console; outside one
 * (Node, tests) it stays quiet.
 *
 * @example
 * createAuthClient({ url: '/trpc', dpop: defaultDeviceKeyStore() }); // what `dpop` omitted does
 */
export function defaultDeviceKeyStore(): DeviceKeyStore | false {
  if (deviceKeySupported()) return createIndexedDbDeviceKeys();
  if (typeof window !== 'undefined') announceDeviceKeyUnavailable('no IndexedDB or WebCrypto');
  return false;
}

/**
 * The device key in IndexedDB (database `tessera-dpop`, object store `keys`, record `device`):
 * the `CryptoKey` objects themselves, which IndexedDB stores by structured clone, so the private
 * key stays non-extractable, plus the public JWK and thumbprint. Shared by every tab of the origin.
 *
 * @example
 * const auth = createAuthClient({ url: '/trpc', dpop: createIndexedDbDeviceKeys() });
 */
export function createIndexedDbDeviceKeys(): DeviceKeyStore {
  const load = async (): Promise<DeviceKey | null> => {
    const db = await openDatabase();
    return transaction(db, 'readonly', (store) => {
      const request = store.get(DEVICE_KEY_DB.record);
      return () => asDeviceKey(request.result);
    });
  };

  return {
    load,
    async loadOrCreate() {
      const stored = await load();
      if (stored !== null) return stored;
      // Generate outside the transaction (it would commit while we await), then store it only if
      // no other tab stored one meanwhile: get and put in one readwrite transaction, which
      // IndexedDB runs alone on this store, so all tabs end up with the one key stored.
      const candidate = await generateDeviceKey();
      const db = await openDatabase();
      return transaction(db, 'readwrite', (store) => {
        let chosen: DeviceKey = candidate;
        const request = store.get(DEVICE_KEY_DB.record);
        request.onsuccess = () => {
          const existing = asDeviceKey(request.result);
          if (existing === null) store.put(candidate, DEVICE_KEY_DB.record);
          else chosen = existing;
        };
        return () => chosen;
      });
    },
    async discard() {
      const db = await openDatabase();
      await transaction(db, 'readwrite', (store) => {
        store.delete(DEVICE_KEY_DB.record);
        return () => undefined;
      });
    },
  };
}

let connection: Promise<IDBDatabase> | undefined;

/** One connection per page, opened on first use; a failed open is tried again next time. */
function openDatabase(): Promise<IDBDatabase> {
  if (connection !== undefined) return connection;
  const opening: Promise<IDBDatabase> = new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DEVICE_KEY_DB.name, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(DEVICE_KEY_DB.store);
    };
    request.onsuccess = () => {
      const db = request.result;
      const reset = () => {
        if (connection === opening) connection = undefined;
      };
      // A newer build in another tab wants to upgrade the database: let it, reopen next time.
      db.onversionchange = () => {
        db.close();
        reset();
      };
      // The browser closed it (site data cleared, say): reopen next time.
      db.onclose = reset;
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened.'));
  }).catch((error: unknown) => {
    if (connection === opening) connection = undefined;
    throw error;
  });
  connection = opening;
  return opening;
}

/**
 * Runs `body` in one transaction on the keys store and settles when the transaction does: with
 * the value `body`'s getter reads then, or the transaction's error.
 */
function transaction<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => () => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(DEVICE_KEY_DB.store, mode);
    const result = body(tx.objectStore(DEVICE_KEY_DB.store));
    tx.oncomplete = () => resolve(result());
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted.'));
  });
}

/** A stored record, if it has the shape this build writes (an older or foreign one is replaced). */
function asDeviceKey(value: unknown): DeviceKey | null {
  if (typeof value !== 'object' || value === null) return null;
  if (!('privateKey' in value) || !(value.privateKey instanceof CryptoKey)) return null;
  if (!('jkt' in value) || typeof value.jkt !== 'string') return null;
  if (!('publicJwk' in value) || typeof value.publicJwk !== 'object' || value.publicJwk === null) return null;
  const jwk = value.publicJwk;
  if (!('kty' in jwk) || jwk.kty !== 'EC' || !('crv' in jwk) || jwk.crv !== 'P-256') return null;
  if (!('x' in jwk) || typeof jwk.x !== 'string' || !('y' in jwk) || typeof jwk.y !== 'string') return null;
  return { privateKey: value.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, jkt: value.jkt };
}
