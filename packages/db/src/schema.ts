import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { PostgresTypes } from './schema-generator';
import { FIRST_FACTORS, SIGN_IN_METHODS } from './sign-in-methods';

/**
 * The core's tables, described once for both engines: this is SQLite's schema, and PostgreSQL's
 * (src/engines/postgres/schema.ts) is generated from it by `npm run generate:schema -w @tessera/db`
 * (`postgresTypes` at the end says what the rules cannot derive). After a change, `npm run generate
 * -w @tessera/db` writes both and a migration for each engine.
 *
 * All times are epoch milliseconds (integers), the same unit as the public contract.
 */

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  /** Stored normalised (trimmed, NFKC, lower-case) so one address is one account. */
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  /** `user` or `admin` (the `role` claim of every access token); `npm run user:role` changes it. */
  role: text('role', { enum: ['user', 'admin'] })
    .notNull()
    .default('user'),
  /** When the owner proved the address is theirs (a verification link); null until then. */
  emailVerifiedAt: integer('email_verified_at'),
  /**
   * The security stamp: moves on in the same statement as the password, the role or "end every
   * session". A session is started only if it has not moved since the credential was checked
   * (a sign-in in flight cannot outlive a reset, a password change or a demotion).
   */
  credentialVersion: integer('credential_version').notNull().default(0),
  /**
   * The TOTP secret (RFC 6238), sealed under the key-encryption key like every other secret. Set
   * by `auth.twoFactor.setup`; it counts only once `totpEnabledAt` is set (the owner typed a code).
   */
  totpSecret: text('totp_secret'),
  /** When the owner confirmed the TOTP secret with a code: two-step verification is on. */
  totpEnabledAt: integer('totp_enabled_at'),
  /**
   * The 30-second step of the last TOTP code accepted: a code is accepted only for a later step,
   * in the same statement that records it, so a code is used once (on every instance).
   */
  totpLastStep: integer('totp_last_step').notNull().default(0),
  /**
   * When the account was deleted (by its owner or an admin): its personal rows are gone, its
   * email replaced by `deleted:<id>`, its sessions ended. The row itself stays only until every
   * instance has seen those sessions end (housekeeping then deletes it, and what cascades).
   */
  deletedAt: integer('deleted_at'),
});

/** One row per sign-in: the family of refresh tokens that descend from it. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
    /** Slides forward on every refresh, never past absoluteExpiresAt. */
    idleExpiresAt: integer('idle_expires_at').notNull(),
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    /** Why the session ended: 'logout', 'logout_all', 'revoked', 'reuse_detected', 'password_changed'. */
    revokedReason: text('revoked_reason'),
    /**
     * When the owner last proved a primary credential in this session (sign-in, or
     * `auth.reauthenticate`): the access token's `auth_time`, which step-up checks. 0 for
     * sessions older than the column: they must prove it again before a sensitive change.
     */
    authTime: integer('auth_time').notNull().default(0),
    /** How: one of `SIGN_IN_METHODS` (sign-in-methods.ts), the token's `amr`. */
    authMethod: text('auth_method', { enum: SIGN_IN_METHODS }).notNull().default('password'),
    /**
     * The RFC 7638 thumbprint of the device key the session is bound to (DPoP, RFC 9449): its
     * access tokens carry it as `cnf.jkt`, and its refresh token works only with a proof from that
     * key. Null for a Bearer session (a client that presented no key, or a session older than it).
     */
    dpopJkt: text('dpop_jkt'),
  },
  (table) => [
    index('sessions_user_id_idx').on(table.userId),
    // The revocation feed asks for sessions revoked after a cursor, several times a second.
    index('sessions_revoked_at_idx').on(table.revokedAt),
    // Housekeeping looks for sessions that ended long ago; idle expiry never passes absolute expiry.
    index('sessions_idle_expires_at_idx').on(table.idleExpiresAt),
  ],
);

/** Only the SHA-256 hash of a refresh token is stored; the token itself lives in the user's cookie. */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    issuedAt: integer('issued_at').notNull(),
    /** Set when this token is exchanged; a later presentation of it is a replay. */
    replacedAt: integer('replaced_at'),
    replacedById: text('replaced_by_id'),
    /**
     * The successor handed out for this token, sealed (AES-256-GCM, key outside the database),
     * kept only for the grace window so a retry gets the same one; cleared once it passes.
     */
    successorSealed: text('successor_sealed'),
    /** Hash of the user agent and address (IPv6 per /64) that exchanged this token: only they may retry. */
    rotatedBy: text('rotated_by'),
    /** Retries honoured within the grace window (each is also logged). */
    graceHits: integer('grace_hits').notNull().default(0),
    /**
     * The token's place in its session's line: its predecessor's plus one (the first token's 0).
     * An exchange deletes the replaced tokens that fell out of the kept window by this number,
     * reading one entry of the index below instead of sorting the session's tokens.
     */
    generation: integer('generation').notNull().default(0),
  },
  (table) => [
    index('refresh_tokens_session_generation_idx').on(table.sessionId, table.generation),
    // The sweep that clears sealed successors once their grace window has passed.
    index('refresh_tokens_pending_successor_idx').on(table.replacedAt).where(sql`${table.successorSealed} is not null`),
  ],
);

/**
 * Ed25519 keys that sign access tokens, shared by every server process on the database. The
 * private half is sealed under the key-encryption key (`SECRET_KEY` or `secret.key`).
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: text('public_jwk').notNull(),
  privateJwk: text('private_jwk').notNull(),
  createdAt: integer('created_at').notNull(),
  /** When a newer key took over signing; the key still verifies until its last token expires. */
  retiredAt: integer('retired_at'),
  /**
   * When `npm run keys:rotate -- --revoke` distrusted it: its tokens are refused from then on
   * (their clients refresh), and it is no longer published.
   */
  revokedAt: integer('revoked_at'),
});

/**
 * rate-limiter-flexible's counters (RateLimiterDrizzle), in the database so that a restart does
 * not reset them and every process shares them. Keys are hashed: no email is stored here.
 */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: integer('expire', { mode: 'timestamp_ms' }),
  },
  (table) => [index('rate_limits_expire_idx').on(table.expire)],
);

/**
 * The security activity of an account, append-only: what happened, when, and from which device
 * and address. The integer id orders events as they were written.
 */
export const authEvents = sqliteTable(
  'auth_events',
  {
    id: integer('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** One of `AuthEventType` (packages/auth/src/accounts/events.ts). */
    type: text('type').notNull(),
    at: integer('at').notNull(),
    /** The device and address of the request that caused the event. */
    userAgent: text('user_agent'),
    ip: text('ip'),
    /** The session the event is about (not a foreign key: ended sessions are pruned, events stay). */
    sessionId: text('session_id'),
    /** For `session_revoked`: the session that ended it. */
    actorSessionId: text('actor_session_id'),
    /** For `signed_in`: `password` or `passkey` (null on events written before passkeys). */
    method: text('method'),
  },
  (table) => [index('auth_events_user_id_idx').on(table.userId, table.id)],
);

/**
 * Single-use tokens sent by mail: a password reset, an email verification, an email change and
 * its undo. Only the SHA-256 hash is stored; the token itself is in the message (sealed in the
 * outbox until sent).
 */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `password_reset`, `email_verification`, `email_change` or `email_change_undo`. */
    purpose: text('purpose').notNull(),
    /**
     * The address the token is about: for `email_change`, the new address it confirms; for
     * `email_change_undo`, the old address it restores. Null for the other purposes.
     */
    address: text('address'),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Set once the token is used. */
    usedAt: integer('used_at'),
    /** Set when a newer token of the same purpose replaced it unused. */
    supersededAt: integer('superseded_at'),
  },
  (table) => [
    index('email_tokens_user_purpose_idx').on(table.userId, table.purpose),
    // A sign-up or change to an address that a live undo link may restore is refused.
    index('email_tokens_address_idx').on(table.address),
  ],
);

/**
 * Mail waiting to be sent, written in the same transaction as the token it carries, so a crash
 * or an SMTP outage never loses one. The message (subject, text, HTML, with the token's link) is
 * sealed under the key-encryption key: a copy of the database holds no usable link.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    recipient: text('recipient').notNull(),
    sealedMessage: text('sealed_message').notNull(),
    createdAt: integer('created_at').notNull(),
    /** When the sender may try (again); a sender claiming it pushes this forward (its lease). */
    nextAttemptAt: integer('next_attempt_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: integer('sent_at'),
    /** Set when the sender gave up (after 24 hours of retries). */
    failedAt: integer('failed_at'),
    lastError: text('last_error'),
  },
  (table) => [
    index('mail_outbox_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.sentAt} is null and ${table.failedAt} is null`),
  ],
);

/**
 * WebAuthn credentials (passkeys): only public keys. The credential id is the authenticator's
 * (base64url); `id` is ours, the one clients see and remove by.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialId: text('credential_id').notNull().unique(),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    /** The authenticator's signature counter as last seen; 0 when it keeps none. */
    counter: integer('counter').notNull(),
    /** How the browser can reach the authenticator (JSON array of WebAuthn transports), or null. */
    transports: text('transports'),
    /** `singleDevice` or `multiDevice` (synced). */
    deviceType: text('device_type').notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [index('passkeys_user_id_idx').on(table.userId)],
);

/**
 * WebAuthn challenges handed out and not yet answered: single use (deleted as they are
 * answered) and short-lived. Only the SHA-256 hash is kept.
 */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    challengeHash: text('challenge_hash').primaryKey(),
    /** `registration` or `authentication`. */
    purpose: text('purpose').notNull(),
    /** For a registration: whose passkey it will be, and from which session. */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
);

/**
 * Single-use recovery codes of a user with two-step verification: ten at a time, shown once,
 * only their SHA-256 hashes kept. Regenerating deletes the old set.
 */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Set when it is used (a compare-and-swap: of two uses, one wins). */
    usedAt: integer('used_at'),
  },
  (table) => [index('recovery_codes_user_id_idx').on(table.userId)],
);

/**
 * Sign-ins waiting for their second step: the password was right, the account has two-step
 * verification. The handle the client holds is random; only its SHA-256 hash is kept. It is
 * single use, short-lived, bound to the client that proved the password, and locked after a few
 * wrong codes.
 */
export const pendingSignIns = sqliteTable(
  'pending_sign_ins',
  {
    handleHash: text('handle_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The security stamp read with the first factor: the session starts only if it has not moved. */
    credentialVersion: integer('credential_version').notNull(),
    /** What proved the first factor: `password`, or the provider (`github`, `google`, `oidc`). */
    firstFactor: text('first_factor', { enum: FIRST_FACTORS }).notNull().default('password'),
    /** Hash of the user agent and address (IPv6 per /64) that proved the first factor: only it may finish. */
    clientHash: text('client_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /**
     * Second-step answers tried so far, each counted before it is checked (so answers sent at
     * once cannot outrun the limit); at the limit the pending sign-in is spent.
     */
    attempts: integer('attempts').notNull().default(0),
  },
  (table) => [index('pending_sign_ins_expires_at_idx').on(table.expiresAt)],
);

/**
 * Accounts at an outside provider (GitHub, Google, an OpenID Connect issuer) linked to a user:
 * the provider proves who the user is, Tessera starts its own session. One identity (provider +
 * subject) links to at most one account. No provider token is kept.
 */
export const identities = sqliteTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `github`, `google` or `oidc`. */
    provider: text('provider').notNull(),
    /** The provider's stable id for the account (`sub`, or GitHub's numeric id). */
    subject: text('subject').notNull(),
    /** The provider's name for the account (a login or an email), as the Account page shows it. */
    displayName: text('display_name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [
    uniqueIndex('identities_provider_subject_idx').on(table.provider, table.subject),
    index('identities_user_id_idx').on(table.userId),
  ],
);

/**
 * Sign-ins (or links) sent to a provider and not back yet: single use, 10 minutes, bound to the
 * browser that started them. Only hashes of the `state` and of the browser's binding cookie are
 * kept; the PKCE verifier and the nonce are sealed.
 */
export const oauthRequests = sqliteTable(
  'oauth_requests',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider').notNull(),
    /** Hash of the HttpOnly cookie set on the browser that started it. */
    browserHash: text('browser_hash').notNull(),
    /** The PKCE code verifier and the OIDC nonce, sealed together. */
    secretsSealed: text('secrets_sealed').notNull(),
    /**
     * What the answer is for: `sign_in` (or up), `link` (connect the provider to the signed-in
     * account), `reauthenticate` (a fresh proof inside the session that asked).
     */
    purpose: text('purpose').notNull().default('sign_in'),
    /** For a link or a proof: the signed-in user and session that asked (null for a sign-in). */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    /** The device key that started a sign-in (DPoP): the session the callback starts is bound to it. */
    dpopJkt: text('dpop_jkt'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('oauth_requests_expires_at_idx').on(table.expiresAt)],
);

export const schema = {
  users,
  sessions,
  refreshTokens,
  signingKeys,
  rateLimits,
  authEvents,
  emailTokens,
  mailOutbox,
  passkeys,
  webauthnChallenges,
  recoveryCodes,
  pendingSignIns,
  identities,
  oauthRequests,
};

/**
 * What the generated PostgreSQL schema (src/engines/postgres/schema.ts) cannot derive from the
 * tables above. By rule an SQLite integer is a PostgreSQL `bigint` read as a number (both are
 * 64-bit: epoch milliseconds fit); these small counters are a 32-bit `integer` instead.
 */
export const postgresTypes: PostgresTypes = {
  integer: [
    users.credentialVersion,
    pendingSignIns.credentialVersion,
    pendingSignIns.attempts,
    refreshTokens.graceHits,
    refreshTokens.generation,
    rateLimits.points,
    mailOutbox.attempts,
  ],
};
