import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { createSingleTabCoordinator } from './cross-tab';
import { createSessionState } from './session-state';
import { issue } from './testing/fake-server';
import { createTokenStore } from './token-store';

function setup() {
  const store = createTokenStore();
  const tabs = createSingleTabCoordinator();
  const schedule = vi.fn();
  const clearTimer = vi.fn();
  return { store, schedule, clearTimer, state: createSessionState({ store, tabs, schedule, clearTimer }) };
}

const refused = (reason: string) =>
  TRPCClientError.from({
    error: { code: -32001, message: reason, data: { code: 'UNAUTHORIZED', httpStatus: 401, reason } },
  });

describe('createSessionState (the auth client’s policy)', () => {
  it('accepts a session and arms the refresh at 80 % of its lifetime', () => {
    const { store, schedule, state } = setup();
    state.accept(issue(Date.now(), 'a'));
    expect(store.getState().status).toBe('authenticated');
    expect(schedule).toHaveBeenCalledWith(240_000);
  });

  it('ends a session the server refused, unless a newer one has taken its place', () => {
    const { store, state } = setup();
    const old = issue(Date.now(), 'old', 'session-1');
    const newer = issue(Date.now(), 'newer', 'session-2');
    state.accept(newer);
    state.endSession('SESSION_REVOKED', old.accessToken);
    expect(store.getState().status).toBe('authenticated');
    state.endSession('SESSION_REVOKED', newer.accessToken);
    expect(store.getState()).toEqual({ status: 'anonymous', session: null, endedBecause: 'SESSION_REVOKED' });
  });

  it('on a failed refresh signs out only for a refused credential, and otherwise tries again later', () => {
    const { store, schedule, state } = setup();
    state.accept(issue(Date.now(), 'a'));
    state.refreshFailed(new TypeError('Failed to fetch'));
    expect(store.getState().status).toBe('authenticated');
    expect(schedule).toHaveBeenLastCalledWith(expect.any(Number));
    state.refreshFailed(refused('REFRESH_TOKEN_REUSED'));
    expect(store.getState()).toMatchObject({ status: 'anonymous', endedBecause: 'REFRESH_TOKEN_REUSED' });
  });

  /** @see issue 26: after an address change two refreshes within a second left a tab on the old address. */
  it('takes, of two refreshes expiring in the same second, the one this browser obtained later', () => {
    const { state, store } = setup();
    const expiresAt = Date.now() + 300_000;
    const first = { ...issue(Date.now(), 'zzz-first'), expiresAt };
    const later = { ...issue(Date.now(), 'aaa-later'), expiresAt, user: { ...first.user, email: 'new@example.com' } };
    state.accept(first, 1_000);

    state.onTabMessage({ type: 'refreshed', session: later, obtainedAt: 1_400 });
    expect(store.getState()).toMatchObject({ session: { user: { email: 'new@example.com' } } });
    // The earlier one, arriving late, does not undo it.
    state.onTabMessage({ type: 'refreshed', session: first, obtainedAt: 1_000 });
    expect(store.getState()).toMatchObject({ session: { user: { email: 'new@example.com' } } });
  });

  it('lets a tab whose restore could not reach the server join another tab’s refresh, but not a signed-out one', () => {
    const offline = setup();
    offline.state.refreshFailed(new TypeError('Failed to fetch'));
    expect(offline.store.getState().status).toBe('anonymous');
    offline.state.onTabMessage({ type: 'refreshed', session: issue(Date.now(), 'from-a'), obtainedAt: Date.now() });
    expect(offline.store.getState().status).toBe('authenticated');

    const signedOut = setup();
    signedOut.state.accept(issue(Date.now(), 'a'));
    signedOut.state.becomeAnonymous();
    signedOut.state.onTabMessage({ type: 'refreshed', session: issue(Date.now(), 'late'), obtainedAt: Date.now() });
    expect(signedOut.store.getState().status).toBe('anonymous');
  });
});
