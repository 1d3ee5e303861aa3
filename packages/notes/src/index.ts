import { fileURLToPath } from 'node:url';
import type { FeatureMigrations } from '@tessera/db';

export { notesRouter } from './router';
export { notes } from './schema';

/** The notes table's migrations; the server registers them with the database factory. */
export const notesMigrations: FeatureMigrations = {
  name: 'notes',
  folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
};
