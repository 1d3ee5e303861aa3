import { pgSchema } from '@tessera/db';
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

/** The notes table on PostgreSQL: the same columns and index as on SQLite (schema.ts). */
export const pgNotes = pgTable(
  'notes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => pgSchema.users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (table) => [index('notes_user_created_idx').on(table.userId, table.createdAt, table.id)],
);
