import { defineConfig } from 'drizzle-kit';

/** The notes table's PostgreSQL migrations, from the schema generated from src/schema.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/engines/postgres-schema.ts',
  out: './drizzle-pg',
  // The core's tables (users) are the core's migrations' business.
  tablesFilter: ['notes'],
});
