// The SQLite settings every server in the benchmark runs with, Tessera's own: WAL, synchronous
// NORMAL, a busy timeout and foreign keys. A peer that opened its file with other settings would
// be measuring them, not its design.
import Database from 'better-sqlite3';

export function openDatabase(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
