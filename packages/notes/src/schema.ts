import { users } from '@tessera/db';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * A user's note. Times are epoch milliseconds, like the rest of the contract.
 *
 * Described once for both engines: this is SQLite's table, and PostgreSQL's
 * (src/engines/postgres-schema.ts) is generated from it by `npm run generate:schema -w @tessera/notes`;
 * `npm run generate -w @tessera/notes` writes it and a migration for each engine.
 */
export const notes = sqliteTable(
  'notes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  // `notes.list`: one user's notes, newest first, a page after a cursor.
  (table) => [index('notes_user_created_idx').on(table.userId, table.createdAt, table.id)],
);
