import { defineConfig } from 'drizzle-kit';

/** The notes table's PostgreSQL migrations, generated from src/pg-schema.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/pg-schema.ts',
  out: './drizzle-pg',
  // The core's tables (users) are the core's migrations' business.
  tablesFilter: ['notes'],
});
