import { describe, expect, it } from 'vitest';
import {
  passkeyAddedMail,
  passwordChangedMail,
  passwordResetMail,
  recoveryCodeUsedMail,
  twoFactorResetMail,
  verificationMail,
} from './templates';

describe('mail templates', () => {
  it('give every mail a clear subject, a text and an HTML part with the same link, and say what to do if unasked', () => {
    const link = 'https://app.example.com/reset-password#token=abc';
    for (const mail of [
      passwordResetMail({ to: 'ada@example.com', link, validMinutes: 30 }),
      verificationMail({ to: 'ada@example.com', link }),
      passkeyAddedMail({ to: 'ada@example.com', at: 0, link }),
      passwordChangedMail({ to: 'ada@example.com', how: 'changed', at: 0, link }),
      passwordChangedMail({ to: 'ada@example.com', how: 'reset', at: 0, link }),
      passwordChangedMail({ to: 'ada@example.com', how: 'set', at: 0, link }),
      recoveryCodeUsedMail({ to: 'ada@example.com', at: 0, left: 9, link }),
      twoFactorResetMail({ to: 'ada@example.com', at: 0, link }),
    ]) {
      expect(mail.to).toBe('ada@example.com');
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.text).toContain(link);
      expect(mail.html).toContain(`href="${link}"`);
      expect(mail.text).toMatch(/did not/);
      expect(mail.html).toMatch(/did not/);
    }
    expect(passwordResetMail({ to: 'a@b.c', link, validMinutes: 30 }).text).toContain('within 30 minutes');
    // Issue 20, findings 2 and 3: the owner learns what a reset does to passkeys before using it.
    expect(passwordResetMail({ to: 'a@b.c', link, validMinutes: 30 }).text).toMatch(
      /lists the passkeys on the account.*also removes every passkey/s,
    );
    expect(passkeyAddedMail({ to: 'a@b.c', at: Date.UTC(2026, 10, 29, 13, 45), link }).text).toContain(
      'on 2026-11-29 13:45 UTC',
    );
    expect(recoveryCodeUsedMail({ to: 'a@b.c', at: 0, left: 1, link }).text).toContain('1 recovery code is left.');
  });

  it('escapes what goes into the HTML part', () => {
    const mail = verificationMail({ to: 'a@b.c', link: 'https://x.example/"><script>alert(1)</script>' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });
});
