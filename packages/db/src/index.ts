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
export { authEvents, rateLimits, refreshTokens, schema, sessions, signingKeys, users } from './schema';
