import { SESSION_END_CAUSES } from '@tessera/contract';
import { describe, expect, it } from 'vitest';
import { sessionEndCause } from './end-cause';

describe('sessionEndCause', () => {
  it('tells the client what each recorded reason means, and nothing for the rest', () => {
    const recorded = [
      'logout',
      'logout_all',
      'revoked',
      'revoked_by_admin',
      'role_changed',
      'password_changed',
      'password_reset',
      'two_factor_reset',
      'reuse_detected',
      'email_changed',
      'email_change_undone',
      'account_deleted',
    ];
    // Every cause the contract names comes from some recorded reason.
    expect(recorded.map(sessionEndCause).sort()).toEqual([...SESSION_END_CAUSES].sort());
    expect(sessionEndCause('email_not_verified')).toBeNull();
    expect(sessionEndCause('toString')).toBeNull();
    expect(sessionEndCause(null)).toBeNull();
  });
});
