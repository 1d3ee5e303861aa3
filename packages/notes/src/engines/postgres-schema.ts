// Generated from src/schema.ts by `npm run generate:schema -w @tessera/notes`: do not edit.
// The same tables on PostgreSQL, by the rules of renderPostgresSchema (@tessera/db/schema-generator)
// and any postgresTypes written beside the tables. A test fails while this file is stale.

import { pgSchema } from '@tessera/db';
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

export const notes = pgTable(
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
