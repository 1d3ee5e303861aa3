import { type DeviceKey, type DeviceKeyStore, generateDeviceKey } from '../dpop/device-key';

/**
 * Test helper: a device key store in memory, standing in for IndexedDB (which Node lacks). The
 * keys are real WebCrypto keys (Node's global `crypto.subtle`), so proofs verify. `replace()`
 * plays another tab that signed out and in again with a new key.
 *
 * @example
 * const keys = memoryDeviceKeys();
 * const dpopFetch = createDpopFetch(server.fetch, keys, { baseUrl: 'https://app.example/' });
 */
export function memoryDeviceKeys() {
  let stored: DeviceKey | null = null;
  const calls = { load: 0, loadOrCreate: 0, discard: 0 };
  const keys: DeviceKeyStore = {
    async load() {
      calls.load++;
      return stored;
    },
    async loadOrCreate() {
      calls.loadOrCreate++;
      if (stored !== null) return stored;
      // As in IndexedDB: generate first, then keep whichever key was stored first.
      const candidate = await generateDeviceKey();
      stored ??= candidate;
      return stored;
    },
    async discard() {
      calls.discard++;
      stored = null;
    },
  };
  return {
    ...keys,
    calls,
    /** The key stored now, if any. */
    current: () => stored,
    /** Another tab replaced the key. */
    async replace(): Promise<DeviceKey> {
      stored = await generateDeviceKey();
      return stored;
    },
  };
}
