import { createDb, type DbHandle, passkeys, users } from '@tessera/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endAllSessions, startSession } from '../engines/sqlite/sessions';
import { insertPasskey, type NewPasskey } from './passkeys';

const t0 = Date.UTC(2026, 0, 1);
const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
let handle: DbHandle;
beforeEach(() => {
  handle = createDb(':memory:');
  handle.db.insert(users).values({ id: 'u1', email: 'a@example.com', passwordHash: 'x', createdAt: t0 }).run();
});
afterEach(() => handle.close());

const passkey = (id: string): NewPasskey => ({
  id,
  userId: 'u1',
  credentialId: `credential-${id}`,
  publicKey: 'key',
  counter: 0,
  transports: [],
  deviceType: 'singleDevice',
  backedUp: false,
  name: 'Laptop',
});

/** @see issue 20 review: a passkey registered while a credential change ends its session. */
describe('insertPasskey', () => {
  it('keeps a passkey only while the session adding it is live, checked in the insert’s transaction', () => {
    const { sessionId } = startSession(
      handle.db,
      lifetimes,
      { userId: 'u1', userAgent: null, credentialVersion: 0, method: 'password' },
      t0,
    );
    expect(insertPasskey(handle.db, passkey('p1'), 20, t0 + 1, sessionId)).toBe('inserted');
    endAllSessions(handle.db, { userId: 'u1', reason: 'password_reset', passwordHash: 'y' }, t0 + 2);
    expect(insertPasskey(handle.db, passkey('p2'), 20, t0 + 3, sessionId)).toBe('session_ended');
    expect(handle.db.select({ id: passkeys.id }).from(passkeys).all()).toEqual([{ id: 'p1' }]);
  });
});
