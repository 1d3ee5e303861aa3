import { Column, getTableColumns, is, SQL, StringChunk } from 'drizzle-orm';
import {
  getTableConfig,
  type SQLiteColumn,
  type SQLiteTable,
  SQLiteText,
  SQLiteTimestamp,
} from 'drizzle-orm/sqlite-core';

/**
 * What the rules below cannot derive, kept beside the tables in the hand-written description
 * (`export const postgresTypes: PostgresTypes = { ... }`).
 */
export interface PostgresTypes {
  /** Columns that are a 32-bit `integer` on PostgreSQL (any other SQLite integer is a `bigint`). */
  integer?: readonly SQLiteColumn[];
}

/** One hand-written description and how its PostgreSQL schema is written out. */
export interface SchemaDescription extends PostgresTypes {
  /** The hand-written file, as the header names it (e.g. `src/schema.ts`). */
  source: string;
  /** The command that writes the generated file, as the header names it. */
  command: string;
  /** The tables, by the name each is exported under (the generated file exports the same names). */
  tables: Record<string, SQLiteTable>;
  /** The name of an exported object holding every table (e.g. `pgSchema`), if one is wanted. */
  collection?: string;
  /** Tables described elsewhere that these reference: imported from `module` and used as `name.<key>`. */
  external?: { module: string; name: string; tables: Record<string, SQLiteTable> };
}

/**
 * The PostgreSQL schema (drizzle-orm/pg-core source text, not yet formatted) for the SQLite
 * tables of one description. The rules:
 * - `text` is `text` (its enum kept); `text` in JSON mode is `jsonb`;
 * - an `integer` is a `bigint` read as a number (SQLite's integers are 64-bit: epoch
 *   milliseconds, counters), except the columns listed in `integer`, a 32-bit `integer`;
 * - an integer primary key (SQLite's rowid) is a `bigint` generated always as identity;
 * - `integer` in boolean mode is `boolean`; in `timestamp_ms` mode a `timestamptz(3)` read as a Date;
 * - `real` is `double precision`;
 * - not null, primary keys, unique columns, defaults (plain values), single-column foreign keys
 *   and indexes (partial ones included) are the same.
 * Anything else (composite keys, checks, SQL defaults, JavaScript defaults, ...) is refused with
 * an error naming the column or table: extend these rules rather than edit the output.
 */
export function renderPostgresSchema(description: SchemaDescription): string {
  const int32 = new Set<Column>(description.integer ?? []);
  const used = new Set<string>(['pgTable']);
  let usesSql = false;

  const tableReference = (table: SQLiteTable): string => {
    for (const [key, candidate] of Object.entries(description.tables)) {
      if (candidate === table) return key;
    }
    const external = description.external;
    for (const [key, candidate] of Object.entries(external?.tables ?? {})) {
      if (external && candidate === table) return `${external.name}.${key}`;
    }
    throw new Error(`${getTableConfig(table).name} is referenced but is in neither tables nor external`);
  };

  const renderTable = (exportName: string, table: SQLiteTable): string => {
    const config = getTableConfig(table);
    const where = `${config.name}`;
    if (config.primaryKeys.length || config.uniqueConstraints.length || config.checks.length) {
      throw new Error(`${where}: composite primary keys, unique constraints and checks are not generated yet`);
    }
    const keys = new Map<Column, string>(Object.entries(getTableColumns(table)).map(([key, column]) => [column, key]));
    const keyOf = (column: Column): string => {
      const key = keys.get(column);
      if (key === undefined) throw new Error(`${where}: a column of another table in an index`);
      return key;
    };

    const references = new Map<Column, string>();
    for (const foreignKey of config.foreignKeys) {
      const { name, columns, foreignColumns, foreignTable } = foreignKey.reference();
      const [column] = columns;
      const [foreignColumn] = foreignColumns;
      if (name !== undefined || columns.length !== 1 || foreignColumns.length !== 1 || !column || !foreignColumn) {
        throw new Error(`${where}: only unnamed single-column foreign keys (.references()) are generated`);
      }
      const actions = [
        foreignKey.onDelete && foreignKey.onDelete !== 'no action' ? `onDelete: '${foreignKey.onDelete}'` : '',
        foreignKey.onUpdate && foreignKey.onUpdate !== 'no action' ? `onUpdate: '${foreignKey.onUpdate}'` : '',
      ].filter(Boolean);
      const foreign = `${tableReference(foreignTable)}.${keyOfForeign(foreignTable, foreignColumn)}`;
      references.set(column, `.references(() => ${foreign}${actions.length ? `, { ${actions.join(', ')} }` : ''})`);
    }

    const columns = config.columns.map((column) => {
      const at = `${config.name}.${column.name}`;
      if (column.defaultFn || column.onUpdateFn || column.generated || column.generatedIdentity) {
        throw new Error(`${at}: JavaScript defaults and generated columns are not generated yet`);
      }
      const rowid = column.primary && column.columnType === 'SQLiteInteger';
      let chain = `${pgType(column, at, int32.has(column) && !rowid, used)}`;
      if (column.primary) chain += '.primaryKey()';
      if (rowid) chain += '.generatedAlwaysAsIdentity()';
      else if (column.notNull && !column.primary) chain += '.notNull()';
      if (column.isUnique) {
        const defaultName = `${config.name}_${column.name}_unique`;
        chain += column.uniqueName === defaultName ? '.unique()' : `.unique(${quote(column.uniqueName ?? '')})`;
      }
      if (column.default !== undefined) {
        if (is(column.default, SQL) || !['string', 'number', 'boolean'].includes(typeof column.default)) {
          throw new Error(`${at}: only plain string, number and boolean defaults are generated`);
        }
        chain += `.default(${typeof column.default === 'string' ? quote(column.default) : String(column.default)})`;
      }
      chain += references.get(column) ?? '';
      return `  ${keyOf(column)}: ${chain},`;
    });

    const indexes = config.indexes.map((index) => {
      const { name, columns, unique, where: condition } = index.config;
      const builder = unique ? 'uniqueIndex' : 'index';
      used.add(builder);
      const on = columns.map((column) => {
        if (!is(column, Column)) throw new Error(`${where}.${name}: indexes on expressions are not generated yet`);
        return `table.${keyOf(column)}`;
      });
      let chain = `${builder}(${quote(name)}).on(${on.join(', ')})`;
      if (condition) {
        usesSql = true;
        chain += `.where(sql\`${renderSql(condition, keyOf, `${where}.${name}`)}\`)`;
      }
      return `    ${chain},`;
    });

    const body = `{\n${columns.join('\n')}\n}`;
    const extra = indexes.length ? `, (table) => [\n${indexes.join('\n')}\n]` : '';
    return `export const ${exportName} = pgTable(${quote(config.name)}, ${body}${extra});`;
  };

  const tables = Object.entries(description.tables).map(([name, table]) => renderTable(name, table));
  const imports = [
    description.external && Object.values(description.external.tables).length
      ? `import { ${description.external.name} } from '${description.external.module}';`
      : '',
    usesSql ? `import { sql } from 'drizzle-orm';` : '',
    `import { ${[...used].sort().join(', ')} } from 'drizzle-orm/pg-core';`,
  ].filter(Boolean);
  const collection = description.collection
    ? [`export const ${description.collection} = { ${Object.keys(description.tables).join(', ')} };`]
    : [];
  return [
    `// Generated from ${description.source} by \`${description.command}\`: do not edit.`,
    '// The same tables on PostgreSQL, by the rules of renderPostgresSchema (@tessera/db/schema-generator)',
    '// and any postgresTypes written beside the tables. A test fails while this file is stale.',
    '',
    ...imports,
    '',
    tables.join('\n\n'),
    '',
    ...collection,
    '',
  ].join('\n');
}

/** A string literal in the repo's style. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function keyOfForeign(table: SQLiteTable, column: Column): string {
  for (const [key, candidate] of Object.entries(getTableColumns(table))) {
    if (candidate === column) return key;
  }
  throw new Error(`${getTableConfig(table).name}.${column.name}: not a column of its table`);
}

/** The PostgreSQL column builder call for one SQLite column, recording which builders it uses. */
function pgType(column: SQLiteColumn, at: string, int32: boolean, used: Set<string>): string {
  const name = quote(column.name);
  const call = (builder: string, options?: string) => {
    used.add(builder);
    return `${builder}(${name}${options ? `, ${options}` : ''})`;
  };
  switch (column.columnType) {
    case 'SQLiteText': {
      if (is(column, SQLiteText) && column.length !== undefined) {
        throw new Error(`${at}: text with a length is not generated yet`);
      }
      const values = column.enumValues;
      return call('text', values?.length ? `{ enum: [${values.map(quote).join(', ')}] }` : undefined);
    }
    case 'SQLiteTextJson':
      return call('jsonb');
    case 'SQLiteInteger':
      return int32 ? call('integer') : call('bigint', `{ mode: 'number' }`);
    case 'SQLiteBoolean':
      return call('boolean');
    case 'SQLiteTimestamp':
      if (is(column, SQLiteTimestamp) && column.mode === 'timestamp_ms') {
        return call('timestamp', `{ mode: 'date', precision: 3, withTimezone: true }`);
      }
      throw new Error(`${at}: only timestamp_ms timestamps are generated`);
    case 'SQLiteReal':
      return call('doublePrecision');
    default:
      throw new Error(`${at}: ${column.columnType} columns are not generated yet`);
  }
}

/** A partial index's condition as the source of a sql`` template over the table's columns. */
function renderSql(condition: SQL, keyOf: (column: Column) => string, at: string): string {
  return condition.queryChunks
    .map((chunk) => {
      if (is(chunk, StringChunk)) {
        const text = chunk.value.join('');
        if (/[`\\]|\$\{/.test(text)) throw new Error(`${at}: a condition with backticks or \${ is not generated`);
        return text;
      }
      if (is(chunk, Column)) return `\${table.${keyOf(chunk)}}`;
      throw new Error(`${at}: conditions with parameters or nested SQL are not generated yet`);
    })
    .join('');
}
