import { afterEach, beforeEach } from 'vitest';

/**
 * Something each test gets of its own: `open`ed before it, `close`d after it. Call it in a suite
 * (it registers a `beforeEach` and an `afterEach`); the function it returns gives the running
 * test's.
 *
 * @example
 * const testAuth = forEachTest(() => createTestAuth(), (opened) => opened.dispose());
 * it('...', async () => {
 *   const { auth, stores } = testAuth();
 * });
 */
export function forEachTest<T>(open: () => Promise<T>, close: (opened: T) => Promise<unknown>): () => T {
  let current: { opened: T } | undefined;
  beforeEach(async () => {
    current = { opened: await open() };
  });
  afterEach(async () => {
    const ending = current;
    current = undefined;
    if (ending) await close(ending.opened);
  });
  return () => {
    if (current === undefined) throw new Error('no test is running: call it inside a test or a hook');
    return current.opened;
  };
}
