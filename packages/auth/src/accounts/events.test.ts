import { afterEach, describe, expect, it } from 'vitest';
import { type TestEngine, testEngines } from '../engines/test-engines';
import { RECENT_EVENTS_LIMIT } from './events';

const client = { userAgent: 'Mozilla/5.0 Test', ip: '203.0.113.7' };

const opened: TestEngine[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((engine) => engine.close()));
});

describe.each(testEngines())('security events on %s', (_name, open) => {
  async function twoUsers(): Promise<{ engine: TestEngine; u1: string; u2: string }> {
    const engine = await open();
    opened.push(engine);
    const [u1, u2] = await Promise.all(
      ['u1', 'u2'].map((name) =>
        engine.store.insertUser({ email: `${name}@example.com`, name: null, passwordHash: 'x' }, 0),
      ),
    );
    if (!u1 || !u2) throw new Error('users not inserted');
    return { engine, u1: u1.id, u2: u2.id };
  }

  it('lists a user’s events newest first, with device, address and session', async () => {
    const { engine, u1, u2 } = await twoUsers();
    const { store } = engine;
    await store.recordEvent({ userId: u1, type: 'signed_in', sessionId: 's1', client, method: 'passkey' }, 1_000);
    await store.recordEvent({ userId: u2, type: 'signed_in', sessionId: 's9', client }, 1_500);
    await store.recordEvent(
      { userId: u1, type: 'session_revoked', sessionId: 's2', actorSessionId: 's1', client },
      2_000,
    );
    // Same millisecond: the order written still decides.
    await store.recordEvent({ userId: u1, type: 'signed_out', sessionId: 's1', client }, 2_000);

    const events = await store.listRecentEvents(u1);
    expect(events.map((event) => event.type)).toEqual(['signed_out', 'session_revoked', 'signed_in']);
    expect(events[1]).toEqual({
      id: expect.any(String),
      type: 'session_revoked',
      at: 2_000,
      userAgent: 'Mozilla/5.0 Test',
      ip: '203.0.113.7',
      sessionId: 's2',
      method: null,
    });
    // A sign-in says how it proved who it was.
    expect(events[2]?.method).toBe('passkey');
  });

  it(`returns the last ${RECENT_EVENTS_LIMIT} only`, async () => {
    const { engine, u1 } = await twoUsers();
    for (let i = 0; i < 30; i++) {
      await engine.store.recordEvent({ userId: u1, type: 'signed_in', sessionId: `s${i}`, client }, i);
    }
    const events = await engine.store.listRecentEvents(u1);
    expect(events).toHaveLength(RECENT_EVENTS_LIMIT);
    expect(events[0]?.sessionId).toBe('s29');
    expect(events.at(-1)?.sessionId).toBe('s10');
  });

  it('keeps a bounded user agent', async () => {
    const { engine, u1 } = await twoUsers();
    await engine.store.recordEvent(
      { userId: u1, type: 'signed_in', sessionId: 's1', client: { ...client, userAgent: 'x'.repeat(5000) } },
      0,
    );
    expect((await engine.store.listRecentEvents(u1))[0]?.userAgent).toHaveLength(512);
  });
});
