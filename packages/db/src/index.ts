export { type CreateDbOptions, createDb, type DbHandle, defaultMigrationsFolder, type TesseraDb } from './create-db';
export { refreshTokens, schema, sessions, signingKeys, users } from './schema';
