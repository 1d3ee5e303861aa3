import { schema } from '@tessera/db';
import { generatedFile, renderPostgresSchema } from '@tessera/db/schema-generator';
import { expect, it } from 'vitest';
import { notes } from '../schema';

const command = 'npm run generate:schema -w @tessera/notes';

it('the PostgreSQL schema is the one src/schema.ts generates', () => {
  const text = renderPostgresSchema({
    source: 'src/schema.ts',
    command,
    tables: { notes },
    external: { module: '@tessera/db', name: 'pgSchema', tables: schema },
  });
  const { current, expected } = generatedFile(new URL('./postgres-schema.ts', import.meta.url), text);
  expect(
    current,
    `src/engines/postgres-schema.ts is stale: run \`${command}\` (or \`npm run generate -w @tessera/notes\`, which writes the migrations too)`,
  ).toBe(expected);
});
