// Generated from src/schema.ts by `npm run generate:schema -w @tessera/db`: do not edit.
// The same tables on PostgreSQL, by the rules of renderPostgresSchema (@tessera/db/schema-generator)
// and any postgresTypes written beside the tables. A test fails while this file is stale.

import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  role: text('role', { enum: ['user', 'admin'] })
    .notNull()
    .default('user'),
  emailVerifiedAt: bigint('email_verified_at', { mode: 'number' }),
  credentialVersion: integer('credential_version').notNull().default(0),
  totpSecret: text('totp_secret'),
  totpEnabledAt: bigint('totp_enabled_at', { mode: 'number' }),
  totpLastStep: bigint('totp_last_step', { mode: 'number' }).notNull().default(0),
  deletedAt: bigint('deleted_at', { mode: 'number' }),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }).notNull(),
    idleExpiresAt: bigint('idle_expires_at', { mode: 'number' }).notNull(),
    absoluteExpiresAt: bigint('absolute_expires_at', { mode: 'number' }).notNull(),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    revokedReason: text('revoked_reason'),
    authTime: bigint('auth_time', { mode: 'number' }).notNull().default(0),
    authMethod: text('auth_method', {
      enum: [
        'passkey',
        'password',
        'github',
        'google',
        'oidc',
        'password_totp',
        'password_recovery_code',
        'password_passkey',
        'github_totp',
        'github_recovery_code',
        'github_passkey',
        'google_totp',
        'google_recovery_code',
        'google_passkey',
        'oidc_totp',
        'oidc_recovery_code',
        'oidc_passkey',
      ],
    })
      .notNull()
      .default('password'),
    dpopJkt: text('dpop_jkt'),
  },
  (table) => [
    index('sessions_user_id_idx').on(table.userId),
    index('sessions_revoked_at_idx').on(table.revokedAt),
    index('sessions_idle_expires_at_idx').on(table.idleExpiresAt),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    issuedAt: bigint('issued_at', { mode: 'number' }).notNull(),
    replacedAt: bigint('replaced_at', { mode: 'number' }),
    replacedById: text('replaced_by_id'),
    successorSealed: text('successor_sealed'),
    rotatedBy: text('rotated_by'),
    graceHits: integer('grace_hits').notNull().default(0),
    generation: integer('generation').notNull().default(0),
  },
  (table) => [
    index('refresh_tokens_session_generation_idx').on(table.sessionId, table.generation),
    index('refresh_tokens_pending_successor_idx').on(table.replacedAt).where(sql`${table.successorSealed} is not null`),
  ],
);

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: text('public_jwk').notNull(),
  privateJwk: text('private_jwk').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  retiredAt: bigint('retired_at', { mode: 'number' }),
  revokedAt: bigint('revoked_at', { mode: 'number' }),
});

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: timestamp('expire', { mode: 'date', precision: 3, withTimezone: true }),
  },
  (table) => [index('rate_limits_expire_idx').on(table.expire)],
);

export const authEvents = pgTable(
  'auth_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    sessionId: text('session_id'),
    actorSessionId: text('actor_session_id'),
    method: text('method'),
  },
  (table) => [index('auth_events_user_id_idx').on(table.userId, table.id)],
);

export const emailTokens = pgTable(
  'email_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    address: text('address'),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    usedAt: bigint('used_at', { mode: 'number' }),
    supersededAt: bigint('superseded_at', { mode: 'number' }),
  },
  (table) => [
    index('email_tokens_user_purpose_idx').on(table.userId, table.purpose),
    index('email_tokens_address_idx').on(table.address),
  ],
);

export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    recipient: text('recipient').notNull(),
    sealedMessage: text('sealed_message').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: bigint('sent_at', { mode: 'number' }),
    failedAt: bigint('failed_at', { mode: 'number' }),
    lastError: text('last_error'),
  },
  (table) => [
    index('mail_outbox_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.sentAt} is null and ${table.failedAt} is null`),
  ],
);

export const passkeys = pgTable(
  'passkeys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialId: text('credential_id').notNull().unique(),
    publicKey: text('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    transports: text('transports'),
    deviceType: text('device_type').notNull(),
    backedUp: boolean('backed_up').notNull(),
    name: text('name').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
  },
  (table) => [index('passkeys_user_id_idx').on(table.userId)],
);

export const webauthnChallenges = pgTable(
  'webauthn_challenges',
  {
    challengeHash: text('challenge_hash').primaryKey(),
    purpose: text('purpose').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
);

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    usedAt: bigint('used_at', { mode: 'number' }),
  },
  (table) => [index('recovery_codes_user_id_idx').on(table.userId)],
);

export const pendingSignIns = pgTable(
  'pending_sign_ins',
  {
    handleHash: text('handle_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialVersion: integer('credential_version').notNull(),
    firstFactor: text('first_factor', { enum: ['password', 'github', 'google', 'oidc'] })
      .notNull()
      .default('password'),
    clientHash: text('client_hash').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    attempts: integer('attempts').notNull().default(0),
  },
  (table) => [index('pending_sign_ins_expires_at_idx').on(table.expiresAt)],
);

export const identities = pgTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    displayName: text('display_name').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
  },
  (table) => [
    uniqueIndex('identities_provider_subject_idx').on(table.provider, table.subject),
    index('identities_user_id_idx').on(table.userId),
  ],
);

export const oauthRequests = pgTable(
  'oauth_requests',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider').notNull(),
    browserHash: text('browser_hash').notNull(),
    secretsSealed: text('secrets_sealed').notNull(),
    purpose: text('purpose').notNull().default('sign_in'),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    dpopJkt: text('dpop_jkt'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (table) => [index('oauth_requests_expires_at_idx').on(table.expiresAt)],
);

export const pgSchema = {
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
