import { describe, expect, it } from 'vitest';
import { sameAddress, validateNewEmail } from './account-address';

describe('sameAddress', () => {
  it('compares as the server stores addresses: trimmed, case-folded, NFKC', () => {
    expect(sameAddress(' Ada@Example.com ', 'ada@example.com')).toBe(true);
    expect(sameAddress('ａda@example.com', 'ada@example.com')).toBe(true);
    expect(sameAddress('ada@example.co', 'ada@example.com')).toBe(false);
    expect(sameAddress('', 'ada@example.com')).toBe(false);
  });
});

describe('validateNewEmail', () => {
  const currentEmail = 'ada@example.com';

  it('points every problem at the new address field', () => {
    expect(validateNewEmail({ newEmail: ' ', currentEmail })).toEqual({
      message: 'Enter your new email address.',
      field: 'newEmail',
    });
    expect(validateNewEmail({ newEmail: 'grace', currentEmail })).toEqual({
      message: 'Enter a valid email address.',
      field: 'newEmail',
    });
    expect(validateNewEmail({ newEmail: 'ADA@example.com', currentEmail })).toEqual({
      message: 'That is your address already.',
      field: 'newEmail',
    });
  });

  it('passes another address', () => {
    expect(validateNewEmail({ newEmail: ' grace@example.com ', currentEmail })).toBeNull();
  });
});
