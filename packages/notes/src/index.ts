import { fileURLToPath } from 'node:url';
import type { Feature } from '@tessera/api';
import { allNotesOf } from './account-data';
import { createPgNotesStore } from './engines/postgres';
import { createSqliteNotesStore } from './engines/sqlite';

export { notesRouter } from './router';
export { notes } from './schema';
export type { Note, NotesCursor, NotesStore } from './store';

/** The notes feature as the server mounts it: its tables on either engine, its store, and its part in the account's life. */
export const notesFeature: Feature = {
  migrations: {
    name: 'notes',
    folder: fileURLToPath(new URL('../drizzle', import.meta.url)),
    pgFolder: fileURLToPath(new URL('../drizzle-pg', import.meta.url)),
  },
  stores: {
    sqlite: (db) => ({ notes: createSqliteNotesStore(db) }),
    postgres: (db) => ({ notes: createPgNotesStore(db) }),
  },
  account: {
    exportUserData: async (stores, userId) => ({
      notes: (await allNotesOf(stores.notes, userId)).map(({ title, body, createdAt, updatedAt }) => ({
        title,
        body,
        createdAt,
        updatedAt,
      })),
    }),
    deleteUserData: async (stores, userId) => {
      await stores.notes.removeAllOf(userId);
    },
  },
};
