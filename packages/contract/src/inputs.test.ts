import { describe, expect, it } from 'vitest';
import {
  changePasswordInput,
  confirmTwoFactorInput,
  emailInput,
  loginInput,
  nameInput,
  passkeyNameInput,
  passwordInput,
  reauthenticateInput,
  recoveryCodeInput,
  registerInput,
  totpCodeInput,
  verifyTwoFactorInput,
} from './inputs';

describe('inputs', () => {
  it.each([
    ['Alice@Example.com', 'alice@example.com'],
    ['  alice@example.com\t', 'alice@example.com'],
    ['ａｌｉｃｅ@ｅｘａｍｐｌｅ.com', 'alice@example.com'],
  ])('normalises the email %j to one account', (raw, normalised) => {
    expect(emailInput.parse(raw)).toBe(normalised);
  });

  it('refuses emails that are malformed, too long or carry NUL bytes', () => {
    expect(emailInput.safeParse('not-an-email').success).toBe(false);
    expect(emailInput.safeParse(`${'a'.repeat(250)}@example.com`).success).toBe(false);
    expect(emailInput.safeParse('a\u0000@example.com').success).toBe(false);
  });

  it('takes a password exactly as typed, within 8 to 128 characters', () => {
    expect(passwordInput.parse('  Spaces Kept  ')).toBe('  Spaces Kept  ');
    expect(passwordInput.safeParse('short').success).toBe(false);
    expect(passwordInput.safeParse('x'.repeat(129)).success).toBe(false);
    expect(passwordInput.parse('x'.repeat(128))).toHaveLength(128);
    expect(passwordInput.safeParse('nul\u0000byte!').success).toBe(false);
  });

  it('stores an empty or missing name as null, and refuses unknown keys', () => {
    const base = { email: 'a@example.com', password: 'password123' };
    expect(registerInput.parse(base).name).toBeNull();
    expect(registerInput.parse({ ...base, name: '   ' }).name).toBeNull();
    expect(registerInput.parse({ ...base, name: ' Ada ' }).name).toBe('Ada');
    expect(registerInput.safeParse({ ...base, isAdmin: true }).success).toBe(false);
    expect(loginInput.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });

  it('refuses a control character inside any one-line field, sign-in’s password included', () => {
    expect(loginInput.safeParse({ email: 'a@example.com', password: 'pass\u0000word' }).success).toBe(false);
    expect(
      changePasswordInput.safeParse({ currentPassword: 'old\u001bpassword', newPassword: 'a new password' }).success,
    ).toBe(false);
    expect(nameInput.safeParse('Ada\u0007').success).toBe(false);
    expect(passkeyNameInput.safeParse('My\u007fkey').success).toBe(false);
    expect(emailInput.safeParse('a\tb@example.com').success).toBe(false);
  });

  it('takes a code as apps show it (spaces ignored), a recovery code as typed, and one second step at a time', () => {
    expect(totpCodeInput.parse('123 456')).toBe('123456');
    expect(totpCodeInput.safeParse('12345').success).toBe(false);
    expect(totpCodeInput.safeParse('12345a').success).toBe(false);
    expect(totpCodeInput.safeParse('1234567').error?.issues[0]?.message).toBe(
      'Enter the 6-digit code from your authenticator app.',
    );
    expect(recoveryCodeInput.parse(' k7m2p-qx9tz ')).toBe('k7m2p-qx9tz');
    expect(recoveryCodeInput.safeParse('').success).toBe(false);
    const pendingSignIn = 'A'.repeat(43);
    expect(verifyTwoFactorInput.safeParse({ pendingSignIn, code: '123456' }).success).toBe(true);
    expect(verifyTwoFactorInput.safeParse({ pendingSignIn, recoveryCode: 'k7m2p-qx9tz' }).success).toBe(true);
    expect(verifyTwoFactorInput.safeParse({ pendingSignIn, code: '123456', recoveryCode: 'x' }).success).toBe(false);
    expect(verifyTwoFactorInput.safeParse({ pendingSignIn: 'short', code: '123456' }).success).toBe(false);
    expect(confirmTwoFactorInput.safeParse({ code: '123456', extra: 1 }).success).toBe(false);
    expect(reauthenticateInput.safeParse({ password: 'p', code: '123456' }).success).toBe(true);
    expect(reauthenticateInput.safeParse({ password: 'p', code: '123456', recoveryCode: 'x' }).success).toBe(false);
  });
});
