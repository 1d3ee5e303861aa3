import { describe, expect, it } from 'vitest';
import { parseTabMessage } from './tab-message';

const session = {
  accessToken: 'a.b.c',
  expiresAt: 1_700_000_300_000,
  user: { id: 'u1', email: 'a@b.c', name: null, role: 'user', emailVerified: false, twoFactorEnabled: false },
};

describe('parseTabMessage', () => {
  it('accepts the three message types', () => {
    expect(parseTabMessage({ type: 'signed-in', session })).toEqual({ type: 'signed-in', session });
    expect(parseTabMessage({ type: 'refreshed', session, obtainedAt: 5 })).toEqual({
      type: 'refreshed',
      session,
      obtainedAt: 5,
    });
    // From a tab of an older build, which says no time: older than any that does.
    expect(parseTabMessage({ type: 'refreshed', session })).toEqual({ type: 'refreshed', session, obtainedAt: 0 });
    const ended = { type: 'signed-out', sessionId: 's1', reason: 'SESSION_REVOKED' };
    expect(parseTabMessage(ended)).toEqual(ended);
  });

  it('reads a sign-out from an older build as ending any session, without a reason to show', () => {
    expect(parseTabMessage({ type: 'signed-out' })).toEqual({ type: 'signed-out', sessionId: null, reason: null });
    expect(parseTabMessage({ type: 'signed-out', sessionId: 7, reason: 'ACCESS_TOKEN_INVALID' })).toEqual({
      type: 'signed-out',
      sessionId: null,
      reason: null,
    });
  });

  it('keeps only the known fields', () => {
    const extra = { ...session, refreshToken: 'never', user: { ...session.user, avatar: 'x' } };
    expect(parseTabMessage({ type: 'refreshed', session: extra, from: 'x' })).toEqual({
      type: 'refreshed',
      session,
      obtainedAt: 0,
    });
  });

  it.each([
    ['not an object', 'signed-out'],
    ['null', null],
    ['no type', { session }],
    ['an unknown type', { type: 'take-over', session }],
    ['no session', { type: 'signed-in' }],
    ['a numeric token', { type: 'signed-in', session: { ...session, accessToken: 42 } }],
    ['an empty token', { type: 'signed-in', session: { ...session, accessToken: '' } }],
    ['an infinite expiry', { type: 'refreshed', session: { ...session, expiresAt: Number.POSITIVE_INFINITY } }],
    ['no user', { type: 'refreshed', session: { ...session, user: null } }],
    ['a user without email', { type: 'refreshed', session: { ...session, user: { id: 'u1', name: null } } }],
    ['a numeric name', { type: 'refreshed', session: { ...session, user: { ...session.user, name: 1 } } }],
    ['an unknown role', { type: 'refreshed', session: { ...session, user: { ...session.user, role: 'root' } } }],
  ])('drops %s', (_label, data) => {
    expect(parseTabMessage(data)).toBeNull();
  });
});
