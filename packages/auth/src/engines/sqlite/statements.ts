import { type Column, type Query, sql } from 'drizzle-orm';
import { immediate, type Step } from '../../store/step';

/**
 * SQLite statements that run either here or in the worker thread (worker.ts): each is a Drizzle
 * query with named placeholders, prepared once on first use in this thread, and whose SQL text
 * (`toSQL()`) the worker prepares on its own connection. Steps run them through a
 * {@link StatementRunner}: the same steps, on either side, run the very same statements.
 */

/** A placeholder for a value given at each run. */
export const p = sql.placeholder;
/** A placeholder where Drizzle's types want SQL (a `set`, a fragment's value). */
export const value = (name: string) => sql`${p(name)}`;

/**
 * A statement that returns rows: its selection (the worker returns each row's values in this
 * order, and they are named and decoded by it), its SQL, and its rows here.
 */
export interface ReadStatement<Row> {
  fields: Record<string, Column>;
  toSQL(): Query;
  all(values: Record<string, unknown>): Row[];
  get(values: Record<string, unknown>): Row | undefined;
}

/** A statement that changes rows: its SQL, and here how many it changed. */
export interface WriteStatement {
  toSQL(): Query;
  run(values: Record<string, unknown>): number;
}

type Values = Record<string, unknown>;

/** `query`, selecting `fields`, as a {@link ReadStatement}. */
export function read<Row>(
  fields: Record<string, Column>,
  query: { toSQL(): Query; prepare(): { all(values: Values): Row[]; get(values: Values): Row | undefined } },
): ReadStatement<Row> {
  const prepared = once(() => query.prepare());
  return {
    fields,
    toSQL: () => query.toSQL(),
    all: (values) => prepared().all(values),
    get: (values) => prepared().get(values),
  };
}

/** `query` as a {@link WriteStatement}. */
export function write(query: {
  toSQL(): Query;
  prepare(): { run(values: Values): { changes: number } };
}): WriteStatement {
  const prepared = once(() => query.prepare());
  return { toSQL: () => query.toSQL(), run: (values) => prepared().run(values).changes };
}

/** Made on first use, then the same one. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** How steps run a statement with its values: in this thread ({@link inThread}), or in the worker. */
export interface StatementRunner {
  rows<Row>(statement: ReadStatement<Row>, values: Values): Step<Row[]>;
  row<Row>(statement: ReadStatement<Row>, values: Values): Step<Row | undefined>;
  /** How many rows it changed. */
  changes(statement: WriteStatement, values: Values): Step<number>;
  run(statement: WriteStatement, values: Values): Step<void>;
}

/** In this thread, on the connection the statements were built on: each step runs at once. */
export const inThread: StatementRunner = {
  rows: (statement, values) => immediate(() => statement.all(values)),
  row: (statement, values) => immediate(() => statement.get(values)),
  changes: (statement, values) => immediate(() => statement.run(values)),
  run: (statement, values) => immediate(() => void statement.run(values)),
};

/**
 * A row of `statement` from its values in selection order (what the worker returns), named and
 * decoded by its columns as Drizzle does here.
 */
export function rowOf<Row>({ fields }: ReadStatement<Row>, values: unknown[]): Row {
  const row = Object.fromEntries(
    Object.entries(fields).map(([key, column], i) => [
      key,
      values[i] === null || values[i] === undefined ? null : column.mapFromDriverValue(values[i]),
    ]),
  );
  // The statement's own selection, decoded by its own columns: the row Drizzle gives here.
  return row as Row;
}
