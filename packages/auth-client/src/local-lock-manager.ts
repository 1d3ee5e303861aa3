/**
 * The part of the Web Locks API (`navigator.locks`) that Tessera uses: an exclusive lock per
 * name, granted in request order, held until the callback's promise settles, and a `request()`
 * promise that settles with the callback's result. `navigator.locks` satisfies it.
 *
 * @example
 * const locks: LockManagerLike = navigator.locks;
 * await locks.request('tessera-auth:refresh', async () => refreshOnce());
 */
export interface LockManagerLike {
  request(name: string, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/**
 * A lock manager for one JavaScript realm, with the `navigator.locks.request` contract. It is
 * the fallback where Web Locks are missing: there is no other tab to exclude, but it still keeps
 * a refresh and a sign-in of the same tab from having two cookie-setting requests on the wire.
 *
 * @example
 * const locks = createLocalLockManager();
 * void locks.request('a', async () => { await slowWork(); });
 * await locks.request('a', async () => {}); // runs after slowWork() has settled
 */
export function createLocalLockManager(): LockManagerLike {
  // Per name, the promise that settles when the last requested holder has released the lock.
  const tails = new Map<string, Promise<void>>();

  return {
    request(name, callback) {
      const previous = tails.get(name) ?? Promise.resolve();
      const result = previous.then(() => callback(null));
      // The next holder waits for this one to settle, whichever way it settles.
      const released = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(name, released);
      // Forget an idle name, so the map does not grow with every request.
      void released.then(() => {
        if (tails.get(name) === released) tails.delete(name);
      });
      return result;
    },
  };
}
