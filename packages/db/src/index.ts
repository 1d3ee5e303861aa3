export {
  type CreateDbOptions,
  createDb,
  type DatabaseHealth,
  type DbHandle,
  defaultMigrationsFolder,
  type FeatureMigrations,
  type TesseraDb,
  type TesseraTransaction,
  writeHealth,
} from './create-db';
export {
  type CreatePgDbOptions,
  createPgDb,
  defaultPgMigrationsFolder,
  isPostgresUrl,
  type PgDbHandle,
  type TesseraPgDb,
} from './create-pg-db';
export { isDatabaseUnavailable, isUnstorableText, withoutQueryParameters } from './database-errors';
export { pgSchema } from './generated/postgres-schema';
export {
  authEvents,
  emailTokens,
  mailOutbox,
  passkeys,
  rateLimits,
  refreshTokens,
  schema,
  sessions,
  signingKeys,
  users,
  webauthnChallenges,
} from './schema';
