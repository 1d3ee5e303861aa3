import { createDb, type DbHandle, users } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listRecentEvents, RECENT_EVENTS_LIMIT, recordEvent } from './events';

let handle: DbHandle;
const client = { userAgent: 'Mozilla/5.0 Test', ip: '203.0.113.7' };

beforeEach(() => {
  handle = createDb(':memory:');
  for (const id of ['u1', 'u2']) {
    handle.db
      .insert(users)
      .values({ id, email: `${id}@example.com`, passwordHash: 'x', createdAt: 0 })
      .run();
  }
});
afterEach(() => handle.close());

describe('security events', () => {
  it('lists a user’s events newest first, with device, address and session', () => {
    recordEvent(handle.db, { userId: 'u1', type: 'signed_in', sessionId: 's1', client, method: 'passkey' }, 1_000);
    recordEvent(handle.db, { userId: 'u2', type: 'signed_in', sessionId: 's9', client }, 1_500);
    recordEvent(
      handle.db,
      { userId: 'u1', type: 'session_revoked', sessionId: 's2', actorSessionId: 's1', client },
      2_000,
    );
    // Same millisecond: the order written still decides.
    recordEvent(handle.db, { userId: 'u1', type: 'signed_out', sessionId: 's1', client }, 2_000);

    const events = listRecentEvents(handle.db, 'u1');
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

  it(`returns the last ${RECENT_EVENTS_LIMIT} only`, () => {
    for (let i = 0; i < 30; i++)
      recordEvent(handle.db, { userId: 'u1', type: 'signed_in', sessionId: `s${i}`, client }, i);
    const events = listRecentEvents(handle.db, 'u1');
    expect(events).toHaveLength(RECENT_EVENTS_LIMIT);
    expect(events[0]?.sessionId).toBe('s29');
    expect(events.at(-1)?.sessionId).toBe('s10');
  });

  it('keeps a bounded user agent', () => {
    recordEvent(
      handle.db,
      { userId: 'u1', type: 'signed_in', sessionId: 's1', client: { ...client, userAgent: 'x'.repeat(5000) } },
      0,
    );
    expect(listRecentEvents(handle.db, 'u1')[0]?.userAgent).toHaveLength(512);
  });
});
