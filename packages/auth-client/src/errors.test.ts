import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { getSessionEndCause, sessionEndReason } from './errors';

const refused = (data: Record<string, unknown>) =>
  TRPCClientError.from({ error: { message: 'refused', code: -32001, data } });

describe('what ended a session', () => {
  it('is what the server said ended it, for a SESSION_REVOKED; the reason alone otherwise', () => {
    expect(sessionEndReason('SESSION_REVOKED', 'ended_by_admin')).toBe('ENDED_BY_ADMIN');
    expect(sessionEndReason('SESSION_REVOKED', 'password_reset')).toBe('PASSWORD_RESET');
    expect(sessionEndReason('SESSION_REVOKED', 'ended_from_another_device')).toBe('SESSION_REVOKED');
    expect(sessionEndReason('SESSION_REVOKED')).toBe('SESSION_REVOKED');
    expect(sessionEndReason('REFRESH_TOKEN_REUSED', 'ended_by_admin')).toBe('REFRESH_TOKEN_REUSED');
    expect(sessionEndReason('REFRESH_TOKEN_MISSING')).toBeNull();
  });

  it('reads data.sessionEnd, ignoring what it does not know', () => {
    expect(getSessionEndCause(refused({ reason: 'SESSION_REVOKED', sessionEnd: 'role_changed' }))).toBe('role_changed');
    expect(getSessionEndCause(refused({ reason: 'SESSION_REVOKED', sessionEnd: 'aliens' }))).toBeNull();
    expect(getSessionEndCause(refused({ reason: 'SESSION_REVOKED' }))).toBeNull();
    expect(getSessionEndCause(new Error('offline'))).toBeNull();
  });
});
