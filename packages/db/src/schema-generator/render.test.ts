import { sql } from 'drizzle-orm';
import { integer, primaryKey, real, type SQLiteTable, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { users } from '../schema';
import { renderPostgresSchema, type SchemaDescription } from './render';

const owners = sqliteTable('owners', { id: text('id').primaryKey() });

const things = sqliteTable(
  'things',
  {
    id: integer('id').primaryKey(),
    ownerId: text('owner_id').references(() => owners.id, { onDelete: 'set null', onUpdate: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    slug: text('slug').notNull().unique('things_slug_key'),
    data: text('data', { mode: 'json' }),
    score: real('score').default(0.5),
    hits: integer('hits').notNull().default(0),
    at: integer('at').notNull(),
    done: integer('done', { mode: 'boolean' }).notNull().default(false),
    seen: integer('seen', { mode: 'timestamp_ms' }),
  },
  (table) => [uniqueIndex('things_owner_slug_idx').on(table.ownerId, table.slug).where(sql`${table.done} = 0`)],
);

const describeThings = (extra: Partial<SchemaDescription> = {}): SchemaDescription => ({
  source: 'src/things.ts',
  command: 'npm run things',
  tables: { owners, things },
  integer: [things.hits],
  external: { module: '@tessera/db', name: 'pgSchema', tables: { users } },
  ...extra,
});

describe('renderPostgresSchema', () => {
  it('applies the type rules, keeps keys, defaults, references and indexes', () => {
    const text = renderPostgresSchema(describeThings({ collection: 'thingsSchema' }));
    expect(text).toContain('// Generated from src/things.ts by `npm run things`: do not edit.');
    expect(text).toContain("import { pgSchema } from '@tessera/db';");
    expect(text).toContain(
      "import { bigint, boolean, doublePrecision, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';",
    );
    for (const line of [
      `id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),`,
      `ownerId: text('owner_id').references(() => owners.id, { onDelete: 'set null', onUpdate: 'cascade' }),`,
      `userId: text('user_id').notNull().references(() => pgSchema.users.id),`,
      `slug: text('slug').notNull().unique('things_slug_key'),`,
      `data: jsonb('data'),`,
      `score: doublePrecision('score').default(0.5),`,
      `hits: integer('hits').notNull().default(0),`,
      `at: bigint('at', { mode: 'number' }).notNull(),`,
      `done: boolean('done').notNull().default(false),`,
      `seen: timestamp('seen', { mode: 'date', precision: 3, withTimezone: true }),`,
      `uniqueIndex('things_owner_slug_idx').on(table.ownerId, table.slug).where(sql\`\${table.done} = 0\`),`,
      'export const thingsSchema = { owners, things };',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('refuses what it cannot carry over, naming where', () => {
    const pair = sqliteTable('pairs', { a: text('a'), b: text('b') }, (table) => [
      primaryKey({ columns: [table.a, table.b] }),
    ]);
    const computed = sqliteTable('computed', { id: text('id').$defaultFn(() => 'x') });
    const sqlDefault = sqliteTable('sql_default', { at: integer('at').default(sql`0`) });
    const render = (table: SQLiteTable) => renderPostgresSchema({ source: 's', command: 'c', tables: { table } });
    expect(() => render(pair)).toThrow(/pairs: composite primary keys/);
    expect(() => render(computed)).toThrow(/computed\.id: JavaScript defaults/);
    expect(() => render(sqlDefault)).toThrow(/sql_default\.at: only plain/);
    expect(() => renderPostgresSchema(describeThings({ external: undefined }))).toThrow(/users is referenced/);
  });
});
