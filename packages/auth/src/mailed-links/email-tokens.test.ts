import { afterEach, describe, expect, it } from 'vitest';
import { type TestEngine, testEngines } from '../engines/test-engines';
import type { NewEmailToken } from './email-tokens';

const opened: TestEngine[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((engine) => engine.close()));
});

const t0 = 1_800_000_000_000;
let counter = 0;
function token(userId: string, purpose: NewEmailToken['purpose'], expiresAt = t0 + 60_000): NewEmailToken {
  counter += 1;
  return {
    userId,
    purpose,
    tokenHash: `hash-${counter}`,
    expiresAt,
    mail: { id: `mail-${counter}`, recipient: 'ada@example.com', sealedMessage: `sealed-${counter}` },
  };
}

describe.each(testEngines({ worker: true }))('mailed tokens and the outbox on %s', (_name, open) => {
  async function withUser(): Promise<{ engine: TestEngine; userId: string }> {
    const engine = await open();
    opened.push(engine);
    const user = await engine.store.insertUser({ email: 'ada@example.com', name: null, passwordHash: 'h' }, t0);
    return { engine, userId: user.id };
  }

  it('accepts a token once, refuses it used, expired, superseded, unknown or of another purpose', async () => {
    const { engine, userId } = await withUser();
    const { store } = engine;
    const first = token(userId, 'password_reset');
    await store.issueEmailToken(first, t0);
    const second = token(userId, 'password_reset');
    await store.issueEmailToken(second, t0 + 1);

    expect(await store.checkEmailToken('password_reset', first.tokenHash, t0 + 2)).toEqual({
      ok: false,
      reason: 'superseded',
    });
    expect(await store.useEmailToken('email_verification', second.tokenHash, t0 + 2)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await store.checkEmailToken('password_reset', second.tokenHash, second.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await store.useEmailToken('password_reset', second.tokenHash, t0 + 2)).toEqual({ ok: true, userId });
    expect(await store.useEmailToken('password_reset', second.tokenHash, t0 + 3)).toEqual({
      ok: false,
      reason: 'used',
    });
    expect(await store.useEmailToken('password_reset', 'no-such-hash', t0)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('lets one of two concurrent uses of a token win', async () => {
    const { engine, userId } = await withUser();
    const issued = token(userId, 'email_verification');
    await engine.store.issueEmailToken(issued, t0);
    const results = await Promise.all(
      [1, 2, 3].map(() => engine.store.useEmailToken('email_verification', issued.tokenHash, t0 + 1)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('queues the mail with its token, and hands each due message to one claim at a time', async () => {
    const { engine, userId } = await withUser();
    const issued = token(userId, 'password_reset');
    await engine.store.issueEmailToken(issued, t0);

    const [claimed] = await engine.background.claimDueMail(t0, t0 + 60_000, 10);
    expect(claimed).toEqual({
      id: issued.mail.id,
      recipient: 'ada@example.com',
      sealedMessage: issued.mail.sealedMessage,
      createdAt: t0,
      attempts: 0,
    });
    // Held by that claim until its lease ends: another sender gets nothing.
    expect(await engine.background.claimDueMail(t0 + 1, t0 + 60_000, 10)).toEqual([]);
    await engine.background.retryMailAt(issued.mail.id, t0 + 1_000, 'connect ECONNREFUSED');
    expect(await engine.background.claimDueMail(t0 + 999, t0 + 60_000, 10)).toEqual([]);
    expect((await engine.background.claimDueMail(t0 + 1_000, t0 + 60_000, 10)).map((mail) => mail.attempts)).toEqual([
      1,
    ]);
    await engine.background.markMailSent(issued.mail.id, t0 + 1_001);
    expect(await engine.background.claimDueMail(t0 + 120_000, t0 + 180_000, 10)).toEqual([]);
  });

  it('issues a token to whoever has an address, superseding their last one, and nothing for an address nobody has', async () => {
    const { engine, userId } = await withUser();
    const older = token(userId, 'password_reset');
    await engine.store.issueEmailToken(older, t0);
    await engine.background.claimDueMail(t0, t0 + 60_000, 10);

    const { userId: _, ...forAda } = token(userId, 'password_reset');
    expect(await engine.background.issueEmailTokenFor({ ...forAda, email: 'ada@example.com' }, t0 + 1)).toBe(true);
    expect(await engine.store.checkEmailToken('password_reset', older.tokenHash, t0 + 2)).toEqual({
      ok: false,
      reason: 'superseded',
    });
    expect(await engine.store.useEmailToken('password_reset', forAda.tokenHash, t0 + 2)).toEqual({ ok: true, userId });
    expect((await engine.background.claimDueMail(t0 + 2, t0 + 60_000, 10)).map((mail) => mail.id)).toEqual([
      forAda.mail.id,
    ]);

    const { userId: __, ...forNobody } = token(userId, 'password_reset');
    expect(await engine.background.issueEmailTokenFor({ ...forNobody, email: 'nobody@example.com' }, t0 + 3)).toBe(
      false,
    );
    expect(await engine.store.checkEmailToken('password_reset', forNobody.tokenHash, t0 + 4)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await engine.background.claimDueMail(t0 + 4, t0 + 60_000, 10)).toEqual([]);
  });

  /** @see issue 20, finding 10: on PostgreSQL two reset requests at once left two working links. */
  it('leaves exactly one usable token of a burst issued at once, by user or by address', async () => {
    const { engine, userId } = await withUser();
    const burst = Array.from({ length: 8 }, () => token(userId, 'password_reset'));
    await Promise.all(
      burst.map(({ userId: owner, ...issued }, i) =>
        i % 2
          ? engine.store.issueEmailToken({ ...issued, userId: owner }, t0)
          : engine.background.issueEmailTokenFor({ ...issued, email: 'ada@example.com' }, t0),
      ),
    );
    const checks = await Promise.all(
      burst.map((issued) => engine.store.checkEmailToken('password_reset', issued.tokenHash, t0 + 1)),
    );
    expect(checks.filter((check) => check.ok)).toHaveLength(1);
    expect(checks.filter((check) => !check.ok && check.reason === 'superseded')).toHaveLength(7);
  });

  /**
   * A use of a link racing the issue of a newer one to the same user queue as SQLite's one write
   * lock queues them: either the use commits first (the issue then leaves the used token alone)
   * or the supersede does (the use is then refused). Never both: an old link never works once a
   * newer one has been issued, and the newer one always works.
   */
  it('serialises a use of a link with the issue of a newer one, by user or by address', async () => {
    const { engine, userId } = await withUser();
    for (let round = 0; round < 24; round++) {
      const older = token(userId, 'password_reset');
      await engine.store.issueEmailToken(older, t0);
      const { userId: _, ...newer } = token(userId, 'password_reset');
      const [used] = await Promise.all([
        engine.store.useEmailToken('password_reset', older.tokenHash, t0 + 1),
        round % 2
          ? engine.store.issueEmailToken({ ...newer, userId }, t0 + 1)
          : engine.background.issueEmailTokenFor({ ...newer, email: 'ada@example.com' }, t0 + 1),
      ]);
      const [row] = await engine.rows(
        `select used_at as "usedAt", superseded_at as "supersededAt" from email_tokens where token_hash = '${older.tokenHash}'`,
      );
      if (used?.ok) {
        expect(row?.supersededAt).toBeNull();
        expect(row?.usedAt).not.toBeNull();
      } else {
        expect(used).toEqual({ ok: false, reason: 'superseded' });
        expect(row?.usedAt).toBeNull();
      }
      expect(await engine.store.checkEmailToken('password_reset', newer.tokenHash, t0 + 2)).toEqual({
        ok: true,
        userId,
      });
    }
  });
});
