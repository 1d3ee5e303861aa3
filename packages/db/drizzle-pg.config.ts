import { defineConfig } from 'drizzle-kit';

/** PostgreSQL's migrations, from the schema generated from src/schema.ts, in their own folder. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/engines/postgres/schema.ts',
  out: './drizzle-pg',
});
