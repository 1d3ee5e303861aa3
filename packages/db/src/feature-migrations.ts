/**
 * A feature's own tables: its drizzle-kit migrations, recorded in a journal table of its own
 * (`__drizzle_migrations_<name>`), so features never collide over migration numbers.
 */
export interface FeatureMigrations {
  /** Short and stable: it names the journal table. */
  name: string;
  /** Its drizzle-kit migrations for SQLite. */
  folder: string;
  /** Its drizzle-kit migrations for PostgreSQL. */
  pgFolder: string;
}
