import type { TesseraDb } from '@tessera/db';
import type { Engine } from '../../store/engine';
import { runNow } from '../../store/step';

/**
 * SQLite as an {@link Engine}: every rule runs synchronously over `steps` (statements prepared
 * once), a write inside one `BEGIN IMMEDIATE` transaction. The write lock is taken before the
 * first read, so no other process can interleave; nothing yields to the event loop in between.
 */
export function sqliteEngine<Steps>(db: TesseraDb, steps: Steps): Engine<Steps> {
  return {
    write: async (rule) => db.transaction(() => runNow(rule(steps)), { behavior: 'immediate' }),
    read: async (rule) => runNow(rule(steps)),
  };
}
