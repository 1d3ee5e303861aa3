import { defineConfig } from 'drizzle-kit';

/** PostgreSQL's migrations, generated from src/pg-schema.ts into their own folder. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/pg-schema.ts',
  out: './drizzle-pg',
});
