import { describe, expect, it, vi } from 'vitest';
import { createSingleFlight } from './single-flight';

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSingleFlight', () => {
  it('runs the task once for concurrent callers and gives them the same result', async () => {
    const gate = deferred<string>();
    const task = vi.fn(() => gate.promise);
    const flight = createSingleFlight(task);

    const calls = [flight.run(), flight.run(), flight.run()];
    expect(task).toHaveBeenCalledTimes(1);
    expect(flight.inFlight()).toBe(calls[0]);

    gate.resolve('token');
    await expect(Promise.all(calls)).resolves.toEqual(['token', 'token', 'token']);
  });

  it('shares a rejection with every waiting caller', async () => {
    const gate = deferred<string>();
    const flight = createSingleFlight(() => gate.promise);

    const first = flight.run();
    const second = flight.run();
    gate.reject(new Error('offline'));

    await expect(first).rejects.toThrow('offline');
    await expect(second).rejects.toThrow('offline');
  });

  it('starts a new run once the previous one settled', async () => {
    let n = 0;
    const flight = createSingleFlight(async () => ++n);

    await expect(flight.run()).resolves.toBe(1);
    expect(flight.inFlight()).toBeNull();
    await expect(flight.run()).resolves.toBe(2);
  });

  it('clears itself after a failure, so the next call retries', async () => {
    const task = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce('ok');
    const flight = createSingleFlight(task);

    await expect(flight.run()).rejects.toThrow('down');
    await expect(flight.run()).resolves.toBe('ok');
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('turns a synchronous throw into a shared rejection', async () => {
    const flight = createSingleFlight<string>(() => {
      throw new Error('sync');
    });

    await expect(flight.run()).rejects.toThrow('sync');
    expect(flight.inFlight()).toBeNull();
  });
});
