import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSingleTabCoordinator,
  createTabCoordinator,
  DEFAULT_TAB_COORDINATION_NAME,
  LOCK_HANDOFF_MS,
  type TabCoordinator,
} from './cross-tab';
import type { LockManagerLike } from './local-lock-manager';
import type { TabMessage } from './tab-message';
import { testLockManager } from './testing/test-lock-manager';

const SIGNED_OUT = { type: 'signed-out', sessionId: null, reason: null } as const;

// Real turns of the event loop deliver BroadcastChannel messages; captured before faking timers.
const realSetTimeout = globalThis.setTimeout;
async function deliver(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => realSetTimeout(resolve, 0));
}

const session = {
  accessToken: 'a.b.c',
  expiresAt: 1_700_000_300_000,
  user: { id: 'u1', email: 'a@b.c', name: null, role: 'user' as const, emailVerified: false, twoFactorEnabled: false },
};

let seq = 0;
const opened: TabCoordinator[] = [];
function open(options: Parameters<typeof createTabCoordinator>[0] = {}) {
  const coordinator = createTabCoordinator(options);
  opened.push(coordinator);
  return coordinator;
}

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('createTabCoordinator', () => {
  let name = '';
  beforeEach(() => {
    vi.useFakeTimers();
    name = `cross-tab-test-${++seq}`;
  });
  afterEach(() => {
    for (const coordinator of opened.splice(0)) coordinator.close();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  describe('withRefreshLock', () => {
    it('runs one task at a time across tabs, under the lock named after the channel', async () => {
      const locks = testLockManager();
      const [a, b] = [open({ name, locks }), open({ name, locks })];
      const gate = deferred();
      const events: string[] = [];

      const first = a.withRefreshLock(async () => {
        events.push('a');
        await gate.promise;
        return 'from a';
      });
      const second = b.withRefreshLock(async () => {
        events.push('b');
        return 'from b';
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(events).toEqual(['a']);
      expect(locks.isHeld(`${name}:refresh`)).toBe(true);

      gate.resolve();
      await expect(Promise.all([first, second])).resolves.toEqual(['from a', 'from b']);
      expect(locks.maxConcurrent()).toBe(1);
    });

    it('passes a failure to the caller and releases the lock', async () => {
      const locks = testLockManager();
      const tab = open({ name, locks });

      await expect(tab.withRefreshLock(() => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
      await expect(tab.withRefreshLock(async () => 'next')).resolves.toBe('next');
    });

    it('after publishing, keeps the lock for the hand-off pause, but answers its caller at once', async () => {
      const locks = testLockManager();
      const [a, b] = [open({ name, locks }), open({ name, locks })];
      const received: TabMessage[] = [];
      b.onMessage((message) => received.push(message));

      const published = a.withRefreshLock(async () => {
        a.publish({ type: 'refreshed', session, obtainedAt: Date.now() });
        return 'done';
      });
      let bTookOver = false;
      const next = b.withRefreshLock(async () => {
        bTookOver = true;
        return received.length;
      });

      await expect(published).resolves.toBe('done');
      await deliver();
      await vi.advanceTimersByTimeAsync(LOCK_HANDOFF_MS - 1);
      expect(bTookOver).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      // The message was there before the lock.
      await expect(next).resolves.toBe(1);
    });

    it('does not pause when nothing was published', async () => {
      const locks = testLockManager();
      const tab = open({ name, locks });

      await tab.withRefreshLock(async () => 'nothing to share');
      await expect(tab.withRefreshLock(async () => 'next')).resolves.toBe('next');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('runs the task anyway when the lock is refused', async () => {
      const refusing: LockManagerLike = {
        request: () => Promise.reject(new DOMException('gone', 'InvalidStateError')),
      };
      const tab = open({ name, locks: refusing });

      await expect(tab.withRefreshLock(async () => 'unlocked')).resolves.toBe('unlocked');
    });
  });

  describe('messages', () => {
    it('reach the other tabs of the same name, not the sender, not other names', async () => {
      const [a, b, stranger] = [open({ name }), open({ name }), open({ name: `${name}-other` })];
      const seen = { a: vi.fn(), b: vi.fn(), stranger: vi.fn() };
      a.onMessage(seen.a);
      b.onMessage(seen.b);
      stranger.onMessage(seen.stranger);

      a.publish(SIGNED_OUT);
      await deliver();

      expect(seen.b).toHaveBeenCalledWith(SIGNED_OUT);
      expect(seen.a).not.toHaveBeenCalled();
      expect(seen.stranger).not.toHaveBeenCalled();
    });

    it('drops what is not a valid message', async () => {
      const tab = open({ name });
      const listener = vi.fn();
      tab.onMessage(listener);
      const raw = new BroadcastChannel(name);

      raw.postMessage({ type: 'signed-in', session: { accessToken: 1 } });
      raw.postMessage(undefined);
      await deliver();
      raw.close();

      expect(listener).not.toHaveBeenCalled();
    });

    it('stops after unsubscribe and after close; publishing after close is a no-op', async () => {
      const [a, b] = [open({ name }), open({ name })];
      const listener = vi.fn();
      const stop = b.onMessage(listener);

      stop();
      a.publish(SIGNED_OUT);
      await deliver();
      expect(listener).not.toHaveBeenCalled();

      b.onMessage(listener);
      b.close();
      a.publish(SIGNED_OUT);
      await deliver();
      expect(listener).not.toHaveBeenCalled();

      a.close();
      a.close();
      expect(() => a.publish(SIGNED_OUT)).not.toThrow();
    });
  });

  describe('feature detection', () => {
    it('uses navigator.locks where present, under the default names', async () => {
      const locks = testLockManager();
      vi.stubGlobal('navigator', { locks });
      const tab = open();

      await tab.withRefreshLock(async () => undefined);
      expect(locks.log[0]).toEqual({ name: `${DEFAULT_TAB_COORDINATION_NAME}:refresh`, event: 'requested' });
    });

    it('works as a single tab without BroadcastChannel or Web Locks', async () => {
      vi.stubGlobal('BroadcastChannel', undefined);
      const tab = open({ name });
      const listener = vi.fn();
      tab.onMessage(listener);

      expect(() => tab.publish(SIGNED_OUT)).not.toThrow();
      await expect(tab.withRefreshLock(async () => 'still exclusive within the tab')).resolves.toBe(
        'still exclusive within the tab',
      );
      expect(listener).not.toHaveBeenCalled();
    });

    it('createSingleTabCoordinator neither sends nor receives', async () => {
      const single = createSingleTabCoordinator();
      opened.push(single);
      const other = open({ name: DEFAULT_TAB_COORDINATION_NAME });
      const listener = vi.fn();
      single.onMessage(listener);
      const heard = vi.fn();
      other.onMessage(heard);

      single.publish(SIGNED_OUT);
      other.publish(SIGNED_OUT);
      await deliver();

      expect(listener).not.toHaveBeenCalled();
      expect(heard).not.toHaveBeenCalled();
    });
  });
});
