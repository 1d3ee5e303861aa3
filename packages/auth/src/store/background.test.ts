import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteWorker } from '../engines/sqlite/worker';
import { TEST_ENGINES, type TestDatabase } from '../engines/test-databases';
import { createSecretBox, generateSecretKey } from '../tokens/secret-box';
import type { BackgroundDb } from './background';

const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
const [sqlite, postgres] = TEST_ENGINES;

/** Every background: SQLite in this thread and in the worker, and PostgreSQL. */
const BACKGROUNDS = [
  { name: 'SQLite, in this thread', engine: sqlite, open: (database: TestDatabase) => database.background },
  {
    name: 'SQLite, in the worker',
    engine: sqlite,
    open: (database: TestDatabase) => createSqliteWorker(database.file ?? ''),
  },
  { name: 'PostgreSQL', engine: postgres, open: (database: TestDatabase) => database.background },
].flatMap(({ engine, ...background }) => (engine === undefined ? [] : [{ ...background, engine }]));

describe.each(BACKGROUNDS)('the background on $name', ({ engine, open }) => {
  if (engine.skip !== null) console.warn(engine.skip);
  let database: TestDatabase;
  let background: BackgroundDb;
  let userId: string;

  beforeEach(async () => {
    database = await engine.open();
    background = open(database);
    const user = await database.store.insertUser({ email: 'ada@example.com', name: null, passwordHash: 'x' }, 0);
    userId = user.id;
  });
  afterEach(async () => {
    await background.close();
    await database.close();
  });

  const start = (at: number) =>
    database.store.startSession(lifetimes, { userId, userAgent: null, credentialVersion: 0, method: 'password' }, at);
  async function revoked(at: number): Promise<string> {
    const { sessionId } = await start(0);
    await database.store.revokeSession({ sessionId, userId, reason: 'logout' }, at);
    return sessionId;
  }
  const mail = (id: string) => ({ id, recipient: 'ada@example.com', sealedMessage: `sealed ${id}` });

  describe.skipIf(engine.skip !== null)('its statements', () => {
    it('reads the sessions revoked after a time, oldest first', async () => {
      const first = await revoked(1_000);
      const second = await revoked(2_000);
      await revoked(500);
      expect(await background.revokedAfter(900)).toEqual([
        { sessionId: first, revokedAt: 1_000 },
        { sessionId: second, revokedAt: 2_000 },
      ]);
      const third = await revoked(3_000);
      expect(await background.revokedAfter(2_000)).toEqual([{ sessionId: third, revokedAt: 3_000 }]);
    });

    it('reads the signing keys’ version, changed by a rotation, a revocation and a deletion', async () => {
      const keys = database.store.signingKeys;
      const key = (kid: string, createdAt: number) => ({ kid, publicJwk: '{}', privateJwk: 'sealed', createdAt });
      const versions = [await background.signingKeysVersion()];
      await keys.replaceActive(undefined, key('a', 1_000), 0);
      versions.push(await background.signingKeysVersion());
      expect(versions.at(-1)).toBe('a::');
      await keys.replaceActive('a', key('b', 2_000), 0);
      versions.push(await background.signingKeysVersion());
      expect(versions.at(-1)).toBe('a:2000: b::');
      expect(await keys.replaceRevokingAll(key('c', 3_000), 2_500)).toEqual(['b']);
      versions.push(await background.signingKeysVersion());
      expect(versions.at(-1)).toBe('b:3000:3000 c::');
      expect(new Set(versions).size).toBe(4);
    });

    it('clears the sealed successors of tokens replaced before a time', async () => {
      const box = createSecretBox({ key: generateSecretKey() });
      const { refreshToken } = await start(0);
      await database.store.rotateRefreshToken(lifetimes, { presentedToken: refreshToken, client: 'c', box }, 1_000);
      expect(await background.expireGraceSuccessors(1_000)).toBe(0);
      expect(await background.expireGraceSuccessors(1_001)).toBe(1);
      expect(await background.expireGraceSuccessors(1_001)).toBe(0);
      const rows = await database.query('select successor_sealed from refresh_tokens');
      expect(rows.map((row) => row.successor_sealed)).toEqual([null, null]);
    });

    it('hands the outbox’s due mail out under a lease, oldest due first, until sent or given up', async () => {
      await database.store.queueMail(mail('m1'), 10);
      await database.store.queueMail(mail('m2'), 20);
      expect(await background.claimDueMail(9, 100, 10)).toEqual([]);
      expect(await background.claimDueMail(20, 100, 1)).toEqual([{ ...mail('m1'), createdAt: 10, attempts: 0 }]);
      // m1 is leased until 100.
      expect(await background.claimDueMail(20, 100, 10)).toEqual([{ ...mail('m2'), createdAt: 20, attempts: 0 }]);
      await background.retryMailAt('m1', 50, 'connect ECONNREFUSED');
      expect(await background.claimDueMail(49, 200, 10)).toEqual([]);
      expect(await background.claimDueMail(50, 200, 10)).toEqual([{ ...mail('m1'), createdAt: 10, attempts: 1 }]);
      await background.markMailSent('m1', 60);
      await background.markMailFailed('m2', 61, 'gave up');
      expect(await background.claimDueMail(10_000, 20_000, 10)).toEqual([]);
      const rows = await database.query(
        'select id, sealed_message, attempts, sent_at, failed_at, last_error from mail_outbox order by id',
      );
      expect(rows.map((row) => ({ ...row, attempts: Number(row.attempts) }))).toEqual([
        { id: 'm1', sealed_message: '', attempts: 2, sent_at: expect.anything(), failed_at: null, last_error: null },
        {
          id: 'm2',
          sealed_message: '',
          attempts: 1,
          sent_at: null,
          failed_at: expect.anything(),
          last_error: 'gave up',
        },
      ]);
    });

    it('issues a mailed token to whoever has the address, superseding their last, and nothing to nobody', async () => {
      const token = (tokenHash: string, id: string) => ({
        email: 'ada@example.com',
        purpose: 'password_reset' as const,
        tokenHash,
        expiresAt: 10_000,
        mail: mail(id),
      });
      expect(await background.issueEmailTokenFor(token('h1', 'm1'), 10)).toBe(true);
      expect(await background.issueEmailTokenFor(token('h2', 'm2'), 11)).toBe(true);
      expect(await background.issueEmailTokenFor({ ...token('h3', 'm3'), email: 'nobody@example.com' }, 12)).toBe(
        false,
      );
      expect(await database.store.checkEmailToken('password_reset', 'h1', 20)).toEqual({
        ok: false,
        reason: 'superseded',
      });
      expect(await database.store.checkEmailToken('password_reset', 'h2', 20)).toEqual({ ok: true, userId });
      expect((await background.claimDueMail(20, 100, 10)).map((queued) => queued.id).toSorted()).toEqual(['m1', 'm2']);
    });

    it('proves the database writable', async () => {
      expect(await background.writeHealth()).toBe('ok');
    });
  });
});
