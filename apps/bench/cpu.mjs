// CPU time spent serving the requests of a run: the server process's (all its threads: libuv's
// hashing pool, workers) and, on PostgreSQL, the database backends connected to its database.
// Read from /proc/<pid>/stat (utime + stime, in clock ticks of 10 ms on Linux) before and after
// each run, which on a shared machine is far steadier than requests per second: another
// process's load slows a run down but does not add to its CPU time.
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every common build. */
export const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in ticks, or undefined once it is gone. */
export function processTicks(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name, in parentheses, may hold spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * A snapshot of `server`'s CPU ticks and, when it has a database (`server.database`, sampled
 * through `databases`), of each backend connected to it.
 */
export async function sampleCpu(server, databases) {
  const backends = new Map();
  if (server.database && databases) {
    for (const pid of await databases.backendPids(server.database)) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) backends.set(pid, ticks);
    }
  }
  return { server: processTicks(server.pid) ?? 0, backends };
}

/**
 * Microseconds of CPU between two snapshots: the server's, and the database's (every backend
 * seen at the end; one that connected during the run counts in full, its start-up included).
 */
export function cpuBetween(before, after) {
  const us = (ticks) => (ticks * 1_000_000) / TICKS_PER_SECOND;
  let database = 0;
  for (const [pid, ticks] of after.backends) database += ticks - (before.backends.get(pid) ?? 0);
  return { serverUs: us(after.server - before.server), databaseUs: us(database) };
}
