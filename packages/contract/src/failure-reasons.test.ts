import { describe, expectTypeOf, it } from 'vitest';
import type { FailureReason } from './failure-reasons';

describe('FailureReason', () => {
  it('is exactly the contract’s closed union', () => {
    expectTypeOf<FailureReason>().toEqualTypeOf<
      | 'ACCESS_TOKEN_MISSING'
      | 'ACCESS_TOKEN_INVALID'
      | 'ACCESS_TOKEN_EXPIRED'
      | 'SESSION_REVOKED'
      | 'REFRESH_TOKEN_MISSING'
      | 'REFRESH_TOKEN_INVALID'
      | 'SESSION_EXPIRED'
      | 'REFRESH_TOKEN_REUSED'
      | 'INVALID_CREDENTIALS'
      | 'EMAIL_NOT_VERIFIED'
      | 'RATE_LIMITED'
      | 'REAUTH_REQUIRED'
      | 'INVALID_CODE'
      | 'PENDING_SIGN_IN_EXPIRED'
      | 'TWO_FACTOR_REQUIRED'
      | 'DPOP_PROOF_MISSING'
      | 'DPOP_PROOF_INVALID'
      | 'DPOP_NONCE_REQUIRED'
    >();
  });
});
