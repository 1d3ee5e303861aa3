/**
 * The limits every side enforces: the server's zod inputs, the SPA's form checks and its
 * `maxLength` attributes read them from here, so they cannot drift apart.
 */
export const limits = {
  emailMaxLength: 254,
  passwordMinLength: 8,
  passwordMaxLength: 128,
  nameMaxLength: 100,
  noteTitleMaxLength: 200,
  noteBodyMaxLength: 20_000,
  /** Notes per page of `notes.list`, by default and at most. */
  notesPageSize: 20,
  notesPageSizeMax: 100,
  /** A passkey's name, as its owner sees it in the list. */
  passkeyNameMaxLength: 64,
  /** Passkeys one account may hold: plenty for every device a person owns, not a table to fill. */
  passkeysPerUser: 20,
  /** Digits of a code from an authenticator app (TOTP). */
  totpCodeLength: 6,
  /** The longest recovery code accepted as typed (ten characters, a dash, stray spaces). */
  recoveryCodeMaxLength: 32,
} as const;

/** Where the tRPC handler is mounted, on the server and in every client. */
export const TRPC_PATH = '/trpc';

/**
 * A companion of the refresh cookie that script may read: set and cleared with it, it holds no
 * secret ("1"), only the hint that this browser may have a session. Without it the SPA skips the
 * refresh a first visit would make, which could only fail (401) and log a console error.
 */
export const SIGNED_IN_FLAG_COOKIE = 'tessera_signed_in';

/** Operations in one batched request; the server refuses more, and the client's batch link stays at or below it. */
export const MAX_BATCH_SIZE = 10;

/** Who a user is to the app: the access token's `role` claim. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
