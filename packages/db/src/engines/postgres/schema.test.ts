import { expect, it } from 'vitest';
import { postgresTypes, schema } from '../../schema';
import { generatedFile, renderPostgresSchema } from '../../schema-generator';

const command = 'npm run generate:schema -w @tessera/db';

it('the PostgreSQL schema is the one src/schema.ts generates', () => {
  const text = renderPostgresSchema({
    source: 'src/schema.ts',
    command,
    tables: schema,
    ...postgresTypes,
    collection: 'pgSchema',
  });
  const { current, expected } = generatedFile(new URL('./schema.ts', import.meta.url), text);
  expect(
    current,
    `src/engines/postgres/schema.ts is stale: run \`${command}\` (or \`npm run generate -w @tessera/db\`, which writes the migrations too)`,
  ).toBe(expected);
});
