import { z } from 'zod';
import { limits } from './limits';
import { singleLineText } from './text';

/**
 * One address is one account: `Alice@Example.com` and `ａlice@example.com` (full-width) both
 * become `alice@example.com` before anything is looked up or stored.
 */
export const emailInput = singleLineText('Email', { trim: true })
  .normalize('NFKC')
  .toLowerCase()
  .pipe(
    z
      .email('Enter a valid email address.')
      .max(limits.emailMaxLength, `Email must be at most ${limits.emailMaxLength} characters.`),
  );

/** Taken exactly as typed: never trimmed, truncated or case-folded. Over 128 is refused before hashing. */
export const passwordInput = singleLineText('Password')
  .min(limits.passwordMinLength, `Password must be at least ${limits.passwordMinLength} characters.`)
  .max(limits.passwordMaxLength, `Password must be at most ${limits.passwordMaxLength} characters.`);

export const nameInput = singleLineText('Name', { trim: true })
  .max(limits.nameMaxLength, `Name must be at most ${limits.nameMaxLength} characters.`)
  .transform((name) => (name === '' ? null : name));

export const registerInput = z.strictObject({
  email: emailInput,
  password: passwordInput,
  name: nameInput.nullish().transform((name) => name ?? null),
});

/** `auth.password.set`: the first password of an account made by a provider (or left without one). */
export const setPasswordInput = z.strictObject({ newPassword: passwordInput });

export const changePasswordInput = z
  .strictObject({
    currentPassword: singleLineText('Password')
      .min(1, 'Enter your current password.')
      .max(limits.passwordMaxLength, `Password must be at most ${limits.passwordMaxLength} characters.`),
    newPassword: passwordInput,
  })
  // Refused before any hashing: a "change" to the same password would only spend argon2 time.
  .refine((input) => input.newPassword !== input.currentPassword, {
    path: ['newPassword'],
    message: 'The new password must differ from the current one.',
  });

/**
 * Sign-in does not re-check the length rules: the stored hash is the judge. Control characters
 * are refused, as everywhere: no password was ever set with one.
 */
export const loginInput = z.strictObject({
  email: emailInput,
  password: singleLineText('Password')
    .min(1, 'Enter your password.')
    .max(limits.passwordMaxLength, `Password must be at most ${limits.passwordMaxLength} characters.`),
});

/** One of the caller's sessions, by the id `auth.sessions.list` gave. */
export const revokeSessionInput = z.strictObject({ id: z.uuid('Unknown session id.') });

/** A mailed link's token: 256 bits in base64url, exactly as the link carries it. */
const mailedTokenInput = singleLineText('The link').regex(
  /^[A-Za-z0-9_-]{43}$/,
  'This link is not valid. Ask for a new one.',
);

/** `auth.password.requestReset`: the address to send a reset link to, if it has an account. */
export const requestResetInput = z.strictObject({ email: emailInput });

/** `auth.password.reset`: the token from the link, and the new password (the usual rules). */
export const resetPasswordInput = z.strictObject({ token: mailedTokenInput, newPassword: passwordInput });

/** `auth.email.verify`: the token from the verification link. */
export const verifyEmailInput = z.strictObject({ token: mailedTokenInput });

/** `auth.email.requestChange`: the address to move the account to (normalised as every address is). */
export const requestEmailChangeInput = z.strictObject({ newEmail: emailInput });

/** `auth.email.confirmChange` and `auth.email.undoChange`: the token from the mailed link. */
export const emailChangeTokenInput = z.strictObject({ token: mailedTokenInput });

/** `auth.account.delete`: the account's address, typed again to confirm. */
export const deleteAccountInput = z.strictObject({ confirmEmail: emailInput });

/** WebAuthn's binary fields arrive base64url-encoded (`@simplewebauthn/browser` does it). */
const base64url = (what: string, maxLength: number) =>
  singleLineText(what)
    .min(1, `${what} is missing.`)
    .max(maxLength, `${what} is too long.`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} must be base64url.`);

/** A credential id is at most 1023 bytes (WebAuthn §5.8.3): 1364 characters in base64url. */
const credentialIdInput = base64url('The credential id', 1364);
const clientDataInput = base64url('clientDataJSON', 4096);
/** What the browser adds beside the response: read by no check here, so accepted and dropped. */
const clientExtensionResultsInput = z
  .custom<object>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'clientExtensionResults must be an object.',
  )
  .optional();

/** What `navigator.credentials.create()` returned, as `@simplewebauthn/browser` encodes it. */
export const registrationResponseInput = z.object({
  id: credentialIdInput,
  rawId: credentialIdInput,
  type: z.literal('public-key', 'The credential must be a public key.'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: clientExtensionResultsInput,
  response: z.object({
    clientDataJSON: clientDataInput,
    // Attestation certificates make this the largest field; 64 kB covers every real chain.
    attestationObject: base64url('attestationObject', 65_536),
    transports: z.array(singleLineText('A transport').max(32)).max(8).optional(),
  }),
});

/** What `navigator.credentials.get()` returned, as `@simplewebauthn/browser` encodes it. */
export const authenticationResponseInput = z.object({
  id: credentialIdInput,
  rawId: credentialIdInput,
  type: z.literal('public-key', 'The credential must be a public key.'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: clientExtensionResultsInput,
  response: z.object({
    clientDataJSON: clientDataInput,
    authenticatorData: base64url('authenticatorData', 4096),
    signature: base64url('The signature', 1024),
    userHandle: base64url('userHandle', 88).optional(),
  }),
});

export const passkeyNameInput = singleLineText('A passkey name', { trim: true })
  .min(1, 'Give the passkey a name.')
  .max(limits.passkeyNameMaxLength, `A passkey name must be at most ${limits.passkeyNameMaxLength} characters.`);

/** `auth.passkeys.register`: the new credential, and what to call it (the server picks a name if none). */
export const registerPasskeyInput = z.strictObject({
  response: registrationResponseInput,
  name: passkeyNameInput.optional(),
});

/** `auth.passkeys.authenticate`: the signed challenge. */
export const authenticatePasskeyInput = z.strictObject({ response: authenticationResponseInput });

/** `auth.passkeys.remove`: one of the caller's passkeys, by the id `auth.passkeys.list` gave. */
export const removePasskeyInput = z.strictObject({ id: z.uuid('Unknown passkey id.') });

/** A code from an authenticator app: six digits, spaces (as apps show them: `123 456`) ignored. */
export const totpCodeInput = singleLineText('The code')
  .transform((code) => code.replace(/\s/g, ''))
  .pipe(
    z
      .string()
      .regex(
        new RegExp(`^\\d{${limits.totpCodeLength}}$`),
        `Enter the ${limits.totpCodeLength}-digit code from your authenticator app.`,
      ),
  );

/** One of the recovery codes shown at setup, as typed (case, spaces and dashes do not matter). */
export const recoveryCodeInput = singleLineText('The recovery code', { trim: true })
  .min(1, 'Enter one of your recovery codes.')
  .max(limits.recoveryCodeMaxLength, 'That is not a recovery code. Check it and try again.');

/** The handle `auth.login` gave with `secondFactorRequired`: 256 bits in base64url. */
const pendingSignInInput = singleLineText('The sign-in').regex(
  /^[A-Za-z0-9_-]{43}$/,
  'This sign-in has expired. Please sign in again.',
);

/**
 * `auth.reauthenticate`: the password (not re-checked against the rules: the stored hash is the
 * judge) with, when the account has two-step verification, a code or a recovery code; or a
 * passkey's answer to `auth.passkeys.authenticationOptions`.
 */
export const reauthenticateInput = z.union([
  z
    .strictObject({
      password: loginInput.shape.password,
      code: totpCodeInput.optional(),
      recoveryCode: recoveryCodeInput.optional(),
    })
    .refine((input) => input.code === undefined || input.recoveryCode === undefined, {
      path: ['recoveryCode'],
      message: 'Give a code or a recovery code, not both.',
    }),
  z.strictObject({ passkey: authenticationResponseInput }),
]);

/** `auth.twoFactor.confirm`: a code from the authenticator app the secret was just added to. */
export const confirmTwoFactorInput = z.strictObject({ code: totpCodeInput });

/**
 * `auth.twoFactor.verify`: the second step of a sign-in, for the pending sign-in `auth.login`
 * answered (left out after a provider's sign-in: its HttpOnly cookie names it): a code, a recovery
 * code, or a passkey's answer to `auth.passkeys.authenticationOptions`.
 */
export const verifyTwoFactorInput = z.union([
  z.strictObject({ pendingSignIn: pendingSignInInput.optional(), code: totpCodeInput }),
  z.strictObject({ pendingSignIn: pendingSignInInput.optional(), recoveryCode: recoveryCodeInput }),
  z.strictObject({ pendingSignIn: pendingSignInInput.optional(), passkey: authenticationResponseInput }),
]);

export type RegistrationResponseInput = z.infer<typeof registrationResponseInput>;
export type AuthenticationResponseInput = z.infer<typeof authenticationResponseInput>;
