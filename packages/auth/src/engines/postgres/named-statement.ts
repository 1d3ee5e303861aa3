import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { PgQueryable } from './engine';

const dialect = new PgDialect();

/**
 * A statement Drizzle cannot prepare itself (a `WITH` of several writes), built once from the
 * shared fragments with placeholders and run as a named prepared statement: Drizzle renders its
 * SQL once per process, PostgreSQL parses and plans it once per connection. Answers the raw rows.
 *
 * @example
 * const touch = namedStatement<{ id: string }>('tessera_touch', sql`update … where id = ${sql.placeholder('id')} returning id`);
 * const { rows } = await touch(db, { id });
 */
export function namedStatement<Row>(name: string, statement: SQL) {
  const query = dialect.sqlToQuery(statement);
  return (queryable: PgQueryable, values: Record<string, unknown>): Promise<{ rows: Row[] }> =>
    queryable._.session
      .prepareQuery<{ execute: { rows: Row[] }; all: unknown; values: unknown }>(query, undefined, name, false)
      .execute(values);
}

/**
 * A statement Drizzle prepares (`.prepare(name)`) once per pool, the first time it is asked for:
 * for the hot reads, run on the pool outside any transaction.
 *
 * @example
 * const userOn = preparedPerPool((pool) => pool.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare('tessera_user'));
 * await userOn(db).execute({ id });
 */
export function preparedPerPool<Statement>(
  prepare: (pool: PgQueryable) => Statement,
): (pool: PgQueryable) => Statement {
  const prepared = new WeakMap<PgQueryable, Statement>();
  return (pool) => {
    let statement = prepared.get(pool);
    if (statement === undefined) {
      statement = prepare(pool);
      prepared.set(pool, statement);
    }
    return statement;
  };
}
