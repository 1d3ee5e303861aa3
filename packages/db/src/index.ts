export { isDatabaseUnavailable, isUniqueViolation, isUnstorableText, withoutQueryParameters } from './database-errors';
export {
  type CreatePgDbOptions,
  createPgDb,
  defaultPgMigrationsFolder,
  isPostgresUrl,
  type PgDbHandle,
  type TesseraPgDb,
} from './engines/postgres/create-db';
export { pgSchema } from './engines/postgres/schema';
export {
  type CreateDbOptions,
  createDb,
  type DatabaseHealth,
  type DbHandle,
  defaultMigrationsFolder,
  type TesseraDb,
  type TesseraTransaction,
  writeHealth,
} from './engines/sqlite/create-db';
export type { FeatureMigrations } from './feature-migrations';
export {
  authEvents,
  emailTokens,
  identities,
  mailOutbox,
  oauthRequests,
  passkeys,
  pendingSignIns,
  rateLimits,
  recoveryCodes,
  refreshTokens,
  schema,
  sessions,
  signingKeys,
  users,
  webauthnChallenges,
} from './schema';
export {
  FIRST_FACTORS,
  type FirstFactor,
  SECOND_STEPS,
  type SecondStepKind,
  SIGN_IN_METHODS,
  type SignInMethod,
  withSecondStep,
} from './sign-in-methods';
