import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DatabaseHealth } from '@tessera/db';
import type { QueuedMail } from '@tessera/mail';
import type { NewEmailTokenFor } from '../../mailed-links/email-tokens';
import type { Revocation } from '../../revocation/revocation-list';
import type { BackgroundDb } from './background';
import { SIGNING_KEYS_VERSION_SQL } from './signing-keys';

/**
 * The worker's whole program: a connection of its own and the statements the server runs on a
 * timer (revocations and the signing keys' version, grace successors, the mail outbox).
 * better-sqlite3 is synchronous, and SQLite itself retries for up to ten seconds when
 * another process holds the WAL locks: run on the main thread, one timer tick on a locked file
 * would freeze every request. Here only the worker waits, and the revocation feed falls behind,
 * which is how the server notices. A password-reset link is issued here too: its lookup and
 * writes, done for a known address only, would otherwise delay the requests that follow.
 */
const WORKER_SOURCE = `
const { randomUUID } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let statements = null;
// Opened on first use, and again after a failure: the file may appear or come back later.
function prepared() {
  if (statements === null) {
    const db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    // issueEmailTokenFor of email-tokens.ts, statement for statement.
    const userByEmail = db.prepare('select id from users where email = ?');
    const supersedeEmailTokens = db.prepare(
      'update email_tokens set superseded_at = ? ' +
        'where user_id = ? and purpose = ? and used_at is null and superseded_at is null'
    );
    const insertEmailToken = db.prepare(
      'insert into email_tokens (id, user_id, purpose, token_hash, created_at, expires_at) values (?, ?, ?, ?, ?, ?)'
    );
    const queueMail = db.prepare(
      'insert into mail_outbox (id, recipient, sealed_message, created_at, next_attempt_at) values (?, ?, ?, ?, ?)'
    );
    statements = {
      db,
      revokedAfter: db.prepare(
        'select id as sessionId, revoked_at as revokedAt from sessions where revoked_at > ? order by revoked_at'
      ),
      signingKeysVersion: db.prepare(${JSON.stringify(SIGNING_KEYS_VERSION_SQL)}),
      expireGraceSuccessors: db.prepare(
        'update refresh_tokens set successor_sealed = null where successor_sealed is not null and replaced_at < ?'
      ),
      // The mail outbox (email-tokens.ts has the same statements through Drizzle). A read first:
      // most seconds nothing is due, and a read takes no write lock.
      anyMailDue: db.prepare(
        'select 1 from mail_outbox where sent_at is null and failed_at is null and next_attempt_at <= ? limit 1'
      ),
      claimDueMail: db.prepare(
        'update mail_outbox set next_attempt_at = ?, attempts = attempts + 1 where id in (' +
          'select id from mail_outbox where sent_at is null and failed_at is null and next_attempt_at <= ? ' +
          'order by next_attempt_at limit ?) ' +
          'returning id, recipient, sealed_message as sealedMessage, created_at as createdAt, attempts - 1 as attempts'
      ),
      markMailSent: db.prepare("update mail_outbox set sent_at = ?, sealed_message = '', last_error = null where id = ?"),
      retryMailAt: db.prepare('update mail_outbox set next_attempt_at = ?, last_error = ? where id = ?'),
      markMailFailed: db.prepare("update mail_outbox set failed_at = ?, sealed_message = '', last_error = ? where id = ?"),
      issueEmailTokenFor: db
        .transaction((token, now) => {
          const user = userByEmail.get(token.email);
          if (!user) return false;
          supersedeEmailTokens.run(now, user.id, token.purpose);
          insertEmailToken.run(randomUUID(), user.id, token.purpose, token.tokenHash, now, token.expiresAt);
          queueMail.run(token.mail.id, token.mail.recipient, token.mail.sealedMessage, now, now);
          return true;
        })
        .immediate,
    };
  }
  return statements;
}
// writeHealth of @tessera/db, step for step: a write transaction rolled back, without waiting
// on another writer's lock (which proves the file writable).
function writeHealth(db) {
  db.pragma('busy_timeout = 0');
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    db.exec('begin immediate');
    try {
      db.pragma('user_version = ' + version);
    } finally {
      db.exec('rollback');
    }
    return 'ok';
  } catch (error) {
    const code = String((error && error.code) || '');
    if (code.startsWith('SQLITE_READONLY')) return 'read-only';
    return code.startsWith('SQLITE_BUSY') ? 'ok' : 'unavailable';
  } finally {
    db.pragma('busy_timeout = 5000');
  }
}
function run(open, task, args) {
  switch (task) {
    case 'writeHealth': return writeHealth(open.db);
    case 'revokedAfter': return open.revokedAfter.all(args[0]);
    case 'signingKeysVersion': return open.signingKeysVersion.get().version;
    case 'expireGraceSuccessors': return open.expireGraceSuccessors.run(args[0]).changes;
    case 'claimDueMail': {
      const [now, leaseUntil, limit] = args;
      return open.anyMailDue.get(now) ? open.claimDueMail.all(leaseUntil, now, limit) : [];
    }
    case 'markMailSent': return open.markMailSent.run(args[1], args[0]).changes;
    case 'retryMailAt': return open.retryMailAt.run(args[1], args[2], args[0]).changes;
    case 'markMailFailed': return open.markMailFailed.run(args[1], args[2], args[0]).changes;
    case 'issueEmailTokenFor': return open.issueEmailTokenFor(args[0], args[1]);
    default: throw new Error('unknown task ' + task);
  }
}
parentPort.on('message', ({ id, task, args }) => {
  try {
    const result = run(prepared(), task, args);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Reply = { id: number; result: unknown } | { id: number; error: string };
type WorkerTask =
  | 'revokedAfter'
  | 'signingKeysVersion'
  | 'expireGraceSuccessors'
  | 'writeHealth'
  | 'claimDueMail'
  | 'markMailSent'
  | 'retryMailAt'
  | 'markMailFailed'
  | 'issueEmailTokenFor';

/**
 * The server's timed database work (reading other processes' revocations, clearing expired
 * refresh successors, the mail outbox, password-reset links) on a SQLite file, in a worker
 * thread with its own connection.
 *
 * @example
 * const background = createSqliteWorker('./data/tessera.db');
 * await background.revokedAfter(Date.now() - 305_000);
 */
export function createSqliteWorker(file: string): BackgroundDb {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let worker: Worker | null = null;
  let closing = false;

  const failAll = (error: Error) => {
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };

  // Started on first use, and again after a crash: a dead worker must not end the feed for good.
  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file } });
    started.unref();
    started.on('message', (reply: Reply) => {
      const request = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply) request?.reject(new Error(reply.error));
      else request?.resolve(reply.result);
    });
    started.on('error', (error) => failAll(error));
    started.on('exit', (code) => {
      worker = null;
      if (!closing) failAll(new Error(`database worker exited with code ${code}`));
    });
    worker = started;
    return started;
  };

  const ask = (task: WorkerTask, ...args: Array<string | number | NewEmailTokenFor>): Promise<unknown> => {
    if (closing) return Promise.reject(new Error('database worker closed'));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ensureWorker().postMessage({ id, task, args });
    });
  };

  return {
    async revokedAfter(after) {
      return (await ask('revokedAfter', after)) as Revocation[];
    },
    async signingKeysVersion() {
      return String(await ask('signingKeysVersion'));
    },
    async expireGraceSuccessors(before) {
      return Number(await ask('expireGraceSuccessors', before));
    },
    async writeHealth() {
      return (await ask('writeHealth')) as DatabaseHealth;
    },
    async issueEmailTokenFor(token, now) {
      return (await ask('issueEmailTokenFor', token, now)) === true;
    },
    async claimDueMail(now, leaseUntil, limit) {
      return (await ask('claimDueMail', now, leaseUntil, limit)) as QueuedMail[];
    },
    async markMailSent(id, now) {
      await ask('markMailSent', id, now);
    },
    async retryMailAt(id, at, error) {
      await ask('retryMailAt', id, at, error);
    },
    async markMailFailed(id, now, error) {
      await ask('markMailFailed', id, now, error);
    },
    async close() {
      closing = true;
      await worker?.terminate();
      failAll(new Error('database worker closed'));
    },
  };
}
