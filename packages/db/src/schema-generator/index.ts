export { formatSource, generatedFile } from './generated-file';
export { type PostgresTypes, renderPostgresSchema, type SchemaDescription } from './render';
