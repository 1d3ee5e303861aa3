import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The core schema on PostgreSQL: the same tables, columns, constraints and indexes as the SQLite
 * one (schema.ts), so the two engines behave alike. Times are epoch milliseconds in `bigint`
 * (read as JavaScript numbers: exact until the year 287,396), except the throttle's `expire`,
 * which rate-limiter-flexible writes as a timestamp.
 */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  /** Stored normalised (trimmed, NFKC, lower-case) so one address is one account. */
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  createdAt: epochMs('created_at').notNull(),
  role: text('role', { enum: ['user', 'admin'] })
    .notNull()
    .default('user'),
  emailVerifiedAt: epochMs('email_verified_at'),
  /** The security stamp (see schema.ts). */
  credentialVersion: integer('credential_version').notNull().default(0),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    createdAt: epochMs('created_at').notNull(),
    lastUsedAt: epochMs('last_used_at').notNull(),
    idleExpiresAt: epochMs('idle_expires_at').notNull(),
    absoluteExpiresAt: epochMs('absolute_expires_at').notNull(),
    revokedAt: epochMs('revoked_at'),
    revokedReason: text('revoked_reason'),
    /** The step-up proof's time and method (see schema.ts). */
    authTime: epochMs('auth_time').notNull().default(0),
    authMethod: text('auth_method', { enum: ['password', 'passkey'] })
      .notNull()
      .default('password'),
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
    issuedAt: epochMs('issued_at').notNull(),
    replacedAt: epochMs('replaced_at'),
    replacedById: text('replaced_by_id'),
    successorSealed: text('successor_sealed'),
    rotatedBy: text('rotated_by'),
    graceHits: integer('grace_hits').notNull().default(0),
  },
  (table) => [
    index('refresh_tokens_session_id_idx').on(table.sessionId),
    index('refresh_tokens_pending_successor_idx').on(table.replacedAt).where(sql`${table.successorSealed} is not null`),
  ],
);

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: text('public_jwk').notNull(),
  privateJwk: text('private_jwk').notNull(),
  createdAt: epochMs('created_at').notNull(),
  retiredAt: epochMs('retired_at'),
  revokedAt: epochMs('revoked_at'),
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
    at: epochMs('at').notNull(),
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
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    usedAt: epochMs('used_at'),
    supersededAt: epochMs('superseded_at'),
  },
  (table) => [index('email_tokens_user_purpose_idx').on(table.userId, table.purpose)],
);

export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    recipient: text('recipient').notNull(),
    sealedMessage: text('sealed_message').notNull(),
    createdAt: epochMs('created_at').notNull(),
    nextAttemptAt: epochMs('next_attempt_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: epochMs('sent_at'),
    failedAt: epochMs('failed_at'),
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
    createdAt: epochMs('created_at').notNull(),
    lastUsedAt: epochMs('last_used_at'),
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
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
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
};
