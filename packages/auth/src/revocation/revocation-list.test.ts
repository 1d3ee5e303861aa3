import { describe, expect, it } from 'vitest';
import { RevocationList } from './revocation-list';

/** A clock the test moves by hand. */
function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const WINDOW_MS = 305_000;

function list(clock = fakeClock()) {
  return { clock, revoked: new RevocationList({ windowMs: WINDOW_MS, staleAfterMs: 5_000, now: clock.now }) };
}

describe('RevocationList', () => {
  it('refuses an ended session at once and stays bounded: entries leave once their tokens have expired', () => {
    const { clock, revoked } = list();
    revoked.add('s1', clock.now());
    expect(revoked.has('s1')).toBe(true);
    expect(revoked.has('s2')).toBe(false);

    clock.advance(WINDOW_MS - 1);
    revoked.caughtUp([], clock.now());
    expect(revoked.has('s1')).toBe(true);

    clock.advance(1);
    revoked.caughtUp([], clock.now());
    expect(revoked.has('s1')).toBe(false);
    expect(revoked.size).toBe(0);
  });

  /** @see issue 26: the client is told what ended the session, whichever process ended it. */
  it('keeps why each session ended, from this process or the feed, and keeps it when the feed repeats it without', () => {
    const { clock, revoked } = list();
    revoked.add('here', clock.now(), 'revoked_by_admin');
    revoked.caughtUp([{ sessionId: 'there', revokedAt: clock.now(), reason: 'password_reset' }], clock.now());
    revoked.caughtUp([{ sessionId: 'here', revokedAt: clock.now() }], clock.now());
    expect(revoked.endedBecause('here')).toBe('revoked_by_admin');
    expect(revoked.endedBecause('there')).toBe('password_reset');
    revoked.add('unknown', clock.now());
    expect(revoked.endedBecause('unknown')).toBeNull();
    expect(revoked.endedBecause('live')).toBeUndefined();
  });

  it('holds at most the sessions ended within one window, however many end over time', () => {
    const { clock, revoked } = list();
    // One revocation a second for an hour: twelve windows' worth.
    for (let second = 0; second < 3600; second++) {
      revoked.caughtUp([{ sessionId: `s${second}`, revokedAt: clock.now() }], clock.now());
      clock.advance(1000);
      expect(revoked.size).toBeLessThanOrEqual(WINDOW_MS / 1000 + 1);
    }
    expect(revoked.has('s3599')).toBe(true);
    expect(revoked.has('s0')).toBe(false);
  });

  it('ignores what the feed reports from before the window (no token of those sessions still verifies)', () => {
    const { clock, revoked } = list();
    revoked.caughtUp(
      [
        { sessionId: 'old', revokedAt: clock.now() - WINDOW_MS - 1 },
        { sessionId: 'recent', revokedAt: clock.now() - 1000 },
      ],
      clock.now(),
    );
    expect(revoked.has('old')).toBe(false);
    expect(revoked.has('recent')).toBe(true);
  });

  it('dedupes what overlapping reads report twice', () => {
    const { clock, revoked } = list();
    const rows = [{ sessionId: 's1', revokedAt: clock.now() }];
    revoked.caughtUp(rows, clock.now());
    revoked.caughtUp(rows, clock.now());
    expect(revoked.size).toBe(1);
  });

  it('turns stale when the feed has not caught up for more than five seconds, and fresh when it does', () => {
    const { clock, revoked } = list();
    expect(revoked.isStale()).toBe(false);
    clock.advance(5_000);
    expect(revoked.isStale()).toBe(false);
    clock.advance(1);
    expect(revoked.isStale()).toBe(true);
    expect(revoked.lagMs()).toBe(5_001);

    // A read that started before the lock was released still counts from when it read.
    revoked.caughtUp([], clock.now() - 100);
    expect(revoked.isStale()).toBe(false);
    expect(revoked.lagMs()).toBe(100);
  });

  it('never moves its idea of "caught up" backwards', () => {
    const { clock, revoked } = list();
    revoked.caughtUp([], clock.now());
    revoked.caughtUp([], clock.now() - 60_000);
    expect(revoked.lagMs()).toBe(0);
  });
});
