import type { TesseraDb } from '@tessera/db';
import type { Engine } from '../../store/engine';
import { runNow } from '../../store/step';

/**
 * SQLite as an {@link Engine}: every rule runs synchronously over `steps` (statements prepared
 * once), a write inside one `BEGIN IMMEDIATE` transaction. The write lock is taken before the
 * first read, so no other process can interleave; nothing yields to the event loop in between.
 * An optimistic write is a locked one: the lock costs one local call, and no other process can
 * get between the read and the swap.
 */
export function sqliteEngine<Steps>(db: TesseraDb, steps: Steps): Engine<Steps> {
  const write: Engine<Steps>['write'] = async (rule) =>
    db.transaction(() => runNow(rule(steps)), { behavior: 'immediate' });
  return {
    write,
    read: async (rule) => runNow(rule(steps)),
    optimisticWrite: (rule) => write((lockedSteps) => rule(lockedSteps, true)),
  };
}
