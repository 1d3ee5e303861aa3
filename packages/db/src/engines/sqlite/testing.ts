import { spawn } from 'node:child_process';

/**
 * SQLite's WAL locks are POSIX byte-range locks on the `-shm` file: bytes 120 to 127 hold the
 * write, checkpoint, recovery and five read-mark locks. Another process holding them all
 * exclusively is what "the database is locked" looks like to every connection: reads and writes
 * fail with SQLITE_BUSY or SQLITE_PROTOCOL after SQLite's own retries (about ten seconds).
 */
const WAL_LOCK_OFFSET = 120;
const WAL_LOCK_COUNT = 8;

/** Node has no fcntl, so a small Python process takes the locks (python3 ships with node-gyp's toolchain). */
const HOLDER = `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, int(sys.argv[3]), int(sys.argv[2]))
print('locked', flush=True)
sys.stdin.read()
`;

/**
 * Locks a WAL-mode SQLite database from another process, as a stuck backup tool or a crashed
 * writer would, until `release()`. Resolves once the locks are held.
 *
 * @example
 * const lock = await holdSqliteLocks('/tmp/x/tessera.db');
 * // … every read of the file now fails …
 * await lock.release();
 */
export function holdSqliteLocks(databaseFile: string): Promise<{ release(): Promise<void> }> {
  const holder = spawn(
    'python3',
    ['-c', HOLDER, `${databaseFile}-shm`, String(WAL_LOCK_OFFSET), String(WAL_LOCK_COUNT)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
  let stderr = '';
  holder.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    holder.stdout.once('data', () =>
      resolve({
        async release() {
          holder.stdin.end();
          await exited;
        },
      }),
    );
    void exited.then(() => reject(new Error(`could not lock ${databaseFile}: ${stderr}`)));
  });
}
