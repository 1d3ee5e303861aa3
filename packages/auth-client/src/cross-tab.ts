import { createLocalLockManager, type LockManagerLike } from './local-lock-manager';
import { parseTabMessage, type TabMessage } from './tab-message';

/**
 * How one tab's auth client coordinates with the same app in other tabs. All tabs share one
 * refresh cookie, and the server rotates it on every use, so they must take turns refreshing
 * (the lock) and pass the result around instead of each fetching its own (the messages).
 *
 * @example
 * const tabs: TabCoordinator = createTabCoordinator();
 * const stop = tabs.onMessage((message) => console.log(message.type));
 * const session = await tabs.withRefreshLock(() => api.auth.refresh.mutate());
 * tabs.publish({ type: 'refreshed', session });
 * stop();
 * tabs.close();
 */
export interface TabCoordinator {
  /**
   * Runs `task` while holding the refresh lock, shared by every tab of the origin, and settles
   * with its result. Requests are served in order; a tab that closes releases its hold.
   */
  withRefreshLock<T>(task: () => Promise<T>): Promise<T>;
  /** Tells every other tab; this tab does not receive its own message. A no-op after `close()`. */
  publish(message: TabMessage): void;
  /** Calls `listener` for each valid message from another tab; returns the unsubscribe function. */
  onMessage(listener: (message: TabMessage) => void): () => void;
  /** Stops sending and receiving (closes the channel). Idempotent. */
  close(): void;
}

/**
 * The part of `BroadcastChannel` used here, so tests and other runtimes can provide their own.
 *
 * @example
 * const channel: BroadcastChannelLike = new BroadcastChannel('tessera-auth');
 */
export interface BroadcastChannelLike {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/**
 * Options for {@link createTabCoordinator}. Leave a feature `undefined` to detect it, or pass
 * `null` to turn it off.
 *
 * @example
 * createTabCoordinator({ name: 'my-app-auth' } satisfies TabCoordinatorOptions);
 */
export interface TabCoordinatorOptions {
  /**
   * Names the channel; the lock is `` `${name}:refresh` ``. Defaults to
   * {@link DEFAULT_TAB_COORDINATION_NAME}. Apps that share an origin but not a session need distinct names.
   */
  name?: string;
  /** The lock manager; defaults to `navigator.locks`, else a lock local to this tab. */
  locks?: LockManagerLike | null;
  /** Opens the channel; defaults to `new BroadcastChannel(name)` where that exists. */
  createChannel?: ((name: string) => BroadcastChannelLike) | null;
  /** See {@link LOCK_HANDOFF_MS}. */
  handoffMs?: number;
}

/**
 * Default name: the channel is `'tessera-auth'` and the lock `'tessera-auth:refresh'`.
 *
 * @example
 * navigator.locks.query(); // held: [{ name: `${DEFAULT_TAB_COORDINATION_NAME}:refresh`, … }] while refreshing
 */
export const DEFAULT_TAB_COORDINATION_NAME = 'tessera-auth';

/**
 * How long a tab keeps the lock after publishing from inside it. The browser does not order a
 * lock grant in one tab after a message delivery in another, so without this pause a tab queued
 * for the lock could get it before the new session arrives, and refresh again for nothing. The
 * pause costs only the tabs that were waiting anyway: the publishing tab has its result already.
 *
 * @example
 * createTabCoordinator({ handoffMs: LOCK_HANDOFF_MS * 2 }); // a slower machine
 */
export const LOCK_HANDOFF_MS = 100;

/**
 * Creates the coordinator for this tab: Web Locks for the refresh lock and a BroadcastChannel
 * for the messages, each detected separately. Without Web Locks the lock is local to this tab;
 * without BroadcastChannel nothing is sent or received. With neither it is
 * {@link createSingleTabCoordinator}: every tab then manages its own session, as before.
 *
 * @example
 * const tabs = createTabCoordinator();
 * const auth = createAuthClient({ url: '/trpc', tabs });
 */
export function createTabCoordinator(options: TabCoordinatorOptions = {}): TabCoordinator {
  const name = options.name ?? DEFAULT_TAB_COORDINATION_NAME;
  const lockName = `${name}:refresh`;
  const handoffMs = options.handoffMs ?? LOCK_HANDOFF_MS;
  const locks = (options.locks === undefined ? detectLocks() : options.locks) ?? createLocalLockManager();
  const createChannel = options.createChannel === undefined ? detectChannel() : options.createChannel;

  const listeners = new Set<(message: TabMessage) => void>();
  let channel = createChannel?.(name) ?? null;
  let published = 0;

  if (channel) {
    channel.onmessage = (event) => {
      const message = parseTabMessage(event.data);
      if (message === null) return;
      // Copy first: a listener may unsubscribe itself while we iterate.
      for (const listener of [...listeners]) listener(message);
    };
  }

  return {
    withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let granted = false;
        locks
          .request(lockName, async () => {
            granted = true;
            const publishedBefore = published;
            try {
              resolve(await task());
            } catch (error) {
              reject(error);
              return;
            }
            if (published !== publishedBefore && handoffMs > 0) {
              await new Promise((release) => setTimeout(release, handoffMs));
            }
          })
          .catch(() => {
            // The lock was refused (e.g. a document that is no longer active): an uncoordinated
            // refresh is still better than none, and the server tolerates a concurrent one.
            // Once granted, the callback above never rejects, so this is the only failure.
            if (!granted) task().then(resolve, reject);
          });
      });
    },
    publish(message) {
      if (channel === null) return;
      published++;
      channel.postMessage(message);
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      listeners.clear();
      channel?.close();
      channel = null;
    },
  };
}

/**
 * A coordinator for a tab that ignores all others: a lock local to this tab, no messages.
 * What {@link createTabCoordinator} becomes where neither Web Locks nor BroadcastChannel exist;
 * also handy in tests of single-tab behaviour.
 *
 * @example
 * const auth = createAuthClient({ url: '/trpc', tabs: createSingleTabCoordinator() });
 */
export function createSingleTabCoordinator(): TabCoordinator {
  return createTabCoordinator({ locks: null, createChannel: null });
}

function detectLocks(): LockManagerLike | null {
  // Web Locks exist only in secure contexts (https, localhost) of browsers that ship them.
  if (typeof navigator === 'undefined' || !('locks' in navigator)) return null;
  return navigator.locks ?? null;
}

function detectChannel(): ((name: string) => BroadcastChannelLike) | null {
  if (typeof BroadcastChannel !== 'function') return null;
  return (name) => new BroadcastChannel(name);
}
