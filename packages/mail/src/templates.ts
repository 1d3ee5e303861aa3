import type { MailMessage } from './message';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One paragraph per line of the text part, the link as a button, the same words in both parts. */
function compose(
  to: string,
  subject: string,
  lines: { before: string[]; link: string; action: string; after: string[] },
): MailMessage {
  const text = [...lines.before, '', lines.link, '', ...lines.after].join('\n');
  const paragraphs = (items: string[]) => items.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2330;">
${paragraphs(lines.before)}
<p><a href="${escapeHtml(lines.link)}" style="display: inline-block; padding: 10px 16px; background: #3b4bdb; color: #ffffff; border-radius: 6px; text-decoration: none;">${escapeHtml(lines.action)}</a></p>
<p style="font-size: 13px; color: #5b6275;">Or open this address: ${escapeHtml(lines.link)}</p>
${paragraphs(lines.after)}
</body></html>
`;
  return { to, subject, text, html };
}

/**
 * The password-reset mail: the link carries the token in its fragment, so it never reaches a
 * server log or a Referer.
 *
 * @example
 * passwordResetMail({ to: 'ada@example.com', link: 'https://app.example.com/reset-password#token=…', validMinutes: 30 });
 */
export function passwordResetMail(input: { to: string; link: string; validMinutes: number }): MailMessage {
  return compose(input.to, 'Reset your password', {
    before: [
      'Someone asked to reset the password of the account with this address.',
      `To choose a new password, open this link within ${input.validMinutes} minutes. It works once.`,
    ],
    link: input.link,
    action: 'Set a new password',
    after: [
      'Setting a new password signs this account out everywhere else.',
      // The same words for every account (the mail is composed before anyone looks the address up).
      'The page after it lists the passkeys on the account, so you can remove any you do not recognise. If this address was never confirmed, setting a new password also removes every passkey on the account: anyone could have added them.',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
  });
}

/**
 * The mail that proves an address belongs to the account's owner.
 *
 * @example
 * verificationMail({ to: 'ada@example.com', link: 'https://app.example.com/verify-email#token=…' });
 */
export function verificationMail(input: { to: string; link: string }): MailMessage {
  return compose(input.to, 'Confirm your email address', {
    before: ['Please confirm that this address is yours by opening this link within 24 hours.'],
    link: input.link,
    action: 'Confirm my address',
    after: ['If you did not create an account, ignore this mail: nothing happens without the link.'],
  });
}

/**
 * The notice that a passkey was added: the owner learns of it even if someone else did it with
 * a session they should not have had. It names no passkey (its name is whatever the adder typed).
 *
 * @example
 * passkeyAddedMail({ to: 'ada@example.com', at: Date.now(), link: 'https://app.example.com/account' });
 */
export function passkeyAddedMail(input: { to: string; at: number; link: string }): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  return compose(input.to, 'A passkey was added to your account', {
    before: [
      `A new passkey was added to your account on ${when} UTC. It can sign in without your password.`,
      'If that was you, there is nothing to do.',
    ],
    link: input.link,
    action: 'Review your passkeys',
    after: [
      'If you did not add it, remove it on your Account page, end the sessions you do not recognise on the Sessions page, and change your password.',
    ],
  });
}

/** How a password came to be new, for {@link passwordChangedMail}. */
export type PasswordChange = 'changed' | 'reset' | 'set';

const PASSWORD_CHANGE_WORDS: Record<PasswordChange, { subject: string; did: string }> = {
  changed: { subject: 'Your password was changed', did: 'Your password was changed' },
  reset: { subject: 'Your password was reset', did: 'Your password was reset through a mailed link' },
  set: { subject: 'A password was set on your account', did: 'A password was set on your account' },
};

/**
 * Tells the owner their password changed (a change, a reset, a first password), when, and what to
 * do if it was not them: whoever did it signed every other device out, the owner's included.
 *
 * @example
 * passwordChangedMail({ to: 'ada@example.com', how: 'changed', at: Date.now(), link: 'https://app.example.com/forgot-password' });
 */
export function passwordChangedMail(input: { to: string; how: PasswordChange; at: number; link: string }): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  const words = PASSWORD_CHANGE_WORDS[input.how];
  return compose(input.to, words.subject, {
    before: [
      `${words.did} on ${when} UTC, and every other device signed in to your account was signed out.`,
      'If that was you, there is nothing to do.',
    ],
    link: input.link,
    action: 'Reset my password',
    after: [
      'If you did not do this, reset your password now with this link: that signs out every device, including the one that made the change. Then check your passkeys and two-step verification on your Account page.',
    ],
  });
}

/**
 * Tells the owner one of their recovery codes was used, whoever used it: a code in the wrong
 * hands is a way past the second step, and the owner should know at once.
 *
 * @example
 * recoveryCodeUsedMail({ to: 'ada@example.com', at: Date.now(), left: 7, link: 'https://app.example.com/account' });
 */
export function recoveryCodeUsedMail(input: { to: string; at: number; left: number; link: string }): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  const left = input.left === 1 ? '1 recovery code is' : `${input.left} recovery codes are`;
  return compose(input.to, 'A recovery code was used on your account', {
    before: [
      `One of your recovery codes was used to sign in to your account on ${when} UTC. ${left} left.`,
      'If that was you, there is nothing to do; you may want to make new codes.',
    ],
    link: input.link,
    action: 'Review your account',
    after: [
      'If you did not use it, change your password, make new recovery codes, and end the sessions you do not recognise on the Sessions page.',
    ],
  });
}

/**
 * Tells the owner an administrator turned their two-step verification off (every session ended).
 *
 * @example
 * twoFactorResetMail({ to: 'ada@example.com', at: Date.now(), link: 'https://app.example.com/account' });
 */
export function twoFactorResetMail(input: { to: string; at: number; link: string }): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  return compose(input.to, 'Two-step verification was turned off on your account', {
    before: [
      `An administrator turned off two-step verification on your account on ${when} UTC, and signed you out everywhere.`,
      'Sign in with your password, then set up two-step verification again.',
    ],
    link: input.link,
    action: 'Set it up again',
    after: ['If you did not ask for this, tell your administrator and change your password.'],
  });
}

/**
 * The mail to a new address that confirms it: the change happens only when this link is opened.
 *
 * @example
 * emailChangeMail({ to: 'ada@new.example', link: 'https://app.example.com/confirm-email-change#token=…', validMinutes: 60 });
 */
export function emailChangeMail(input: { to: string; link: string; validMinutes: number }): MailMessage {
  return compose(input.to, 'Confirm your new email address', {
    before: [
      'Someone asked to use this address for their account.',
      `To make it the account's address, open this link within ${input.validMinutes} minutes. It works once.`,
    ],
    link: input.link,
    action: 'Use this address',
    after: [
      'Confirming signs the account out on every other device.',
      'If you did not ask for this, ignore this mail: nothing changes without the link.',
    ],
  });
}

/**
 * Tells the old address that the account's address changed, with the way back if it was not the
 * owner: the link restores this address and signs every device out.
 *
 * @example
 * emailChangedMail({ to: 'ada@old.example', newEmail: 'ada@new.example', at: Date.now(), link: '…/undo-email-change#token=…', validDays: 7 });
 */
export function emailChangedMail(input: {
  to: string;
  newEmail: string;
  at: number;
  link: string;
  validDays: number;
}): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  return compose(input.to, 'Your account’s email address was changed', {
    before: [
      `On ${when} UTC the email address of your account was changed from this address to ${input.newEmail}.`,
      'If that was you, there is nothing to do.',
    ],
    link: input.link,
    action: 'This was not me: undo it',
    after: [
      `If it was not you, open the link within ${input.validDays} days. It puts this address back, signs out every device, and removes the passkeys, two-step verification and connected accounts that whoever changed it could have added. Then set a new password.`,
    ],
  });
}

/**
 * The last mail to an account's address: the account and its data are gone.
 *
 * @example
 * accountDeletedMail({ to: 'ada@example.com', at: Date.now(), byAdmin: false, link: 'https://app.example.com/sign-up' });
 */
export function accountDeletedMail(input: { to: string; at: number; byAdmin: boolean; link: string }): MailMessage {
  const when = new Date(input.at).toISOString().replace('T', ' ').slice(0, 16);
  const who = input.byAdmin ? 'An administrator deleted your account' : 'Your account was deleted';
  return compose(input.to, 'Your account was deleted', {
    before: [
      `${who} on ${when} UTC. Every device was signed out, and your data was deleted.`,
      'This cannot be undone. You are welcome back at any time with a new account.',
    ],
    link: input.link,
    action: 'Create a new account',
    after: ['If you did not expect this, contact the people who run this service: the account cannot be restored.'],
  });
}
