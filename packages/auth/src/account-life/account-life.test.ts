import { beforeEach, describe, expect, it } from 'vitest';
import { describeEngines, type OpenStore, testEngines } from '../engines/testing';
import { AuthError, DELETED_ACCOUNT_RETENTION_MS, type User } from '../index';
import type { NewEmailToken } from '../mailed-links/email-tokens';
import type { AuthStore } from '../store/store';
import type { EmailChangeConfirmation } from './account-life';

/**
 * The account-life rules (operations.ts) through the store, on each engine: what an address
 * change, its undo and a deletion do to the rows, and what they refuse, with calls at once where
 * the rule takes locks for it.
 */

const t0 = Date.UTC(2026, 0, 1);
const lifetimes = { refreshIdleTtl: 600, sessionMaxAge: 3600, refreshReuseGrace: 10 };
const MINUTE = 60_000;

describeEngines('the account’s life', testEngines(), (current) => {
  let opened: OpenStore;
  let store: AuthStore;
  beforeEach(() => {
    opened = current();
    store = opened.store;
  });

  let made = 0;
  /** A user with a proved address (unless `proved: false`) and a password hash. */
  const user = async (options: { email?: string; proved?: boolean } = {}): Promise<User> => {
    const created = await store.insertUser(
      { email: options.email ?? `user${++made}@example.com`, name: 'Someone', passwordHash: 'hash' },
      t0,
    );
    if (options.proved !== false) await store.markEmailVerified(created.id, t0);
    return created;
  };
  const start = (userId: string, credentialVersion = 0) =>
    store.startSession(
      lifetimes,
      { userId, userAgent: 'Test/1.0', credentialVersion, method: 'password', dpopJkt: null },
      t0,
    );
  let tokens = 0;
  const issue = async (
    userId: string,
    purpose: NewEmailToken['purpose'],
    address?: string,
    recipient = 'someone@example.com',
  ): Promise<string> => {
    const tokenHash = `hash-${++tokens}`;
    await store.issueEmailToken(
      {
        userId,
        purpose,
        tokenHash,
        address,
        expiresAt: t0 + 60 * MINUTE,
        mail: { id: `mail-${tokens}`, recipient, sealedMessage: 'sealed' },
      },
      t0,
    );
    return tokenHash;
  };
  const undoNotice: EmailChangeConfirmation['undoNotice'] = (oldEmail) => ({
    purpose: 'email_change_undo',
    tokenHash: `undo-of-${oldEmail}`,
    expiresAt: t0 + 7 * 24 * 60 * MINUTE,
    mail: { id: `undo-mail-${oldEmail}`, recipient: oldEmail, sealedMessage: 'sealed undo' },
  });
  const confirm = (tokenHash: string, at = t0 + MINUTE, openedIn: EmailChangeConfirmation['openedIn'] = null) =>
    store.confirmEmailChange({ tokenHash, openedIn, undoNotice }, at);
  const mailTo = async (recipient: string) =>
    (await opened.rows('select id from mail_outbox where recipient = ?', recipient)).map((row) => row.id);
  const goodbye = (email: string) => ({ id: `goodbye-${email}`, recipient: email, sealedMessage: 'sealed goodbye' });
  const remove = (userId: string, at = t0 + MINUTE) => store.deleteAccount({ userId, goodbye }, at);

  describe('an email change confirmed', () => {
    it('moves the account to the proved address, ends every session but the one that opened it, and mails the old address a way back', async () => {
      const ada = await user({ email: 'ada@old.example' });
      const here = await start(ada.id);
      const elsewhere = await start(ada.id);
      const reset = await issue(ada.id, 'password_reset');
      const change = await issue(ada.id, 'email_change', 'ada@new.example');

      const outcome = await confirm(change, t0 + MINUTE, { userId: ada.id, sessionId: here.sessionId });

      expect(outcome).toEqual({
        ok: true,
        userId: ada.id,
        email: 'ada@new.example',
        previousEmail: 'ada@old.example',
        ended: { sessionIds: [elsewhere.sessionId], reason: 'email_changed' },
        undoSent: true,
      });
      expect(await store.findUserById(ada.id)).toMatchObject({ email: 'ada@new.example', emailVerified: true });
      expect(await store.findUserByEmail('ada@old.example')).toBeNull();
      expect(await store.sessionStatus(here, t0 + MINUTE)).toBe('live');
      expect(await store.sessionStatus(elsewhere, t0 + MINUTE)).toBe('revoked');
      // A reset mailed to the old address no longer works; the undo link does.
      expect(await store.checkEmailToken('password_reset', reset, t0 + MINUTE)).toEqual({
        ok: false,
        reason: 'superseded',
      });
      expect(await store.checkEmailToken('email_change_undo', 'undo-of-ada@old.example', t0 + MINUTE)).toEqual({
        ok: true,
        userId: ada.id,
        address: 'ada@old.example',
      });
      expect(await mailTo('ada@old.example')).toContain('undo-mail-ada@old.example');
      // The stamp moved: a sign-in that read the account before the change cannot start a session.
      await expect(start(ada.id, 0)).rejects.toThrow(AuthError);
      expect(await confirm(change, t0 + 2 * MINUTE)).toEqual({ ok: false, reason: 'used' });
    });

    it('ends every session when the link is opened signed out, or by another account', async () => {
      const ada = await user();
      const bob = await user();
      const adas = await start(ada.id);
      const bobs = await start(bob.id);
      const change = await issue(ada.id, 'email_change', 'ada@new.example');

      const outcome = await confirm(change, t0 + MINUTE, { userId: bob.id, sessionId: bobs.sessionId });

      expect(outcome).toMatchObject({ ok: true, ended: { sessionIds: [adas.sessionId] } });
      expect(await store.sessionStatus(bobs, t0 + MINUTE)).toBe('live');
    });

    it('sends no way back to an address that was never proved: it may be a stranger’s', async () => {
      const ada = await user({ email: 'typo@example.com', proved: false });
      const change = await issue(ada.id, 'email_change', 'ada@example.com');

      expect(await confirm(change)).toMatchObject({ ok: true, undoSent: false });
      expect(await mailTo('typo@example.com')).toEqual([]);
    });

    it('refuses an address another account has, or may get back through its undo link', async () => {
      const ada = await user();
      const bob = await user({ email: 'bob@example.com' });
      const taken = await issue(ada.id, 'email_change', 'bob@example.com');
      expect(await confirm(taken)).toEqual({ ok: false, reason: 'taken' });
      expect(await store.addressTaken('bob@example.com', ada.id, t0)).toBe(true);
      expect(await store.addressTaken('bob@example.com', bob.id, t0)).toBe(false);

      // Bob moves away: his old address is held for his undo link, not free for Ada.
      const bobMoves = await issue(bob.id, 'email_change', 'bob@new.example');
      expect(await confirm(bobMoves)).toMatchObject({ ok: true });
      const adaTries = await issue(ada.id, 'email_change', 'bob@example.com');
      expect(await confirm(adaTries, t0 + 2 * MINUTE)).toEqual({ ok: false, reason: 'taken' });
      expect(await store.addressTaken('bob@example.com', ada.id, t0 + 2 * MINUTE)).toBe(true);
      // Bob himself may move back.
      expect(await store.addressTaken('bob@example.com', bob.id, t0 + 2 * MINUTE)).toBe(false);
    });

    it('gives one address to one account when two confirm it at once', async () => {
      const ada = await user();
      const bob = await user();
      const adas = await issue(ada.id, 'email_change', 'shared@example.com');
      const bobs = await issue(bob.id, 'email_change', 'shared@example.com');

      const outcomes = await Promise.all([confirm(adas), confirm(bobs)]);

      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, reason: 'taken' }]);
      const owners = await opened.rows('select id from users where email = ?', 'shared@example.com');
      expect(owners).toHaveLength(1);
    });
  });

  describe('an email change undone', () => {
    it('puts the old address back, ends every session, and removes what whoever changed it could have added', async () => {
      const ada = await user({ email: 'ada@old.example' });
      const change = await issue(ada.id, 'email_change', 'thief@example.com');
      await confirm(change);
      const thiefs = await start(ada.id, 1);
      await store.insertPasskey(
        {
          id: 'thief-key',
          userId: ada.id,
          credentialId: 'credential-thief',
          publicKey: 'public',
          counter: 0,
          transports: [],
          deviceType: 'singleDevice',
          backedUp: false,
          name: 'Thief',
        },
        10,
        t0 + 2 * MINUTE,
        thiefs.sessionId,
      );
      await store.linkIdentity(
        { userId: ada.id, sessionId: thiefs.sessionId },
        { provider: 'github', subject: 'thief', email: null, emailVerified: false, displayName: 'thief' },
        t0 + 2 * MINUTE,
      );
      const thiefsReset = await issue(ada.id, 'password_reset');

      const outcome = await store.undoEmailChange('undo-of-ada@old.example', t0 + 3 * MINUTE);

      expect(outcome).toMatchObject({
        ok: true,
        email: 'ada@old.example',
        previousEmail: 'thief@example.com',
        ended: { sessionIds: [thiefs.sessionId], reason: 'email_change_undone' },
      });
      expect(await store.findUserById(ada.id)).toMatchObject({ email: 'ada@old.example', emailVerified: true });
      expect(await store.listPasskeys(ada.id)).toEqual([]);
      expect(await store.listIdentities(ada.id)).toEqual([]);
      expect(await store.checkEmailToken('password_reset', thiefsReset, t0 + 3 * MINUTE)).toMatchObject({
        ok: false,
        reason: 'superseded',
      });
      expect(await store.undoEmailChange('undo-of-ada@old.example', t0 + 4 * MINUTE)).toEqual({
        ok: false,
        reason: 'used',
      });
    });

    it('survives a second change: each old address keeps its own way back, and the first undo supersedes the rest', async () => {
      const ada = await user({ email: 'a@example.com' });
      await confirm(await issue(ada.id, 'email_change', 'b@example.com'));
      await confirm(await issue(ada.id, 'email_change', 'c@example.com'), t0 + 2 * MINUTE);

      expect(await store.undoEmailChange('undo-of-a@example.com', t0 + 3 * MINUTE)).toMatchObject({
        ok: true,
        email: 'a@example.com',
      });
      // The thief's address b had its own undo link: it died with the owner's.
      expect(await store.undoEmailChange('undo-of-b@example.com', t0 + 4 * MINUTE)).toEqual({
        ok: false,
        reason: 'superseded',
      });
    });
  });

  describe('an account deleted', () => {
    it('deletes its personal rows and mail, strips its row, ends its sessions and queues a goodbye', async () => {
      const ada = await user({ email: 'ada@example.com' });
      const session = await start(ada.id);
      await issue(ada.id, 'password_reset', undefined, 'ada@example.com');
      await store.recordEvent(
        {
          userId: ada.id,
          type: 'signed_in',
          sessionId: session.sessionId,
          client: { userAgent: null, ip: '203.0.113.9' },
        },
        t0,
      );

      const outcome = await remove(ada.id);

      expect(outcome).toEqual({
        ok: true,
        userId: ada.id,
        email: 'ada@example.com',
        ended: { sessionIds: [session.sessionId], reason: 'account_deleted' },
        goodbyeSent: true,
      });
      expect(await store.sessionStatus(session, t0 + MINUTE)).toBe('revoked');
      expect(await opened.rows('select revoked_reason from sessions where id = ?', session.sessionId)).toEqual([
        { revoked_reason: 'account_deleted' },
      ]);
      expect(await store.listRecentEvents(ada.id)).toEqual([]);
      expect(await opened.rows('select id from email_tokens where user_id = ?', ada.id)).toEqual([]);
      expect(await mailTo('ada@example.com')).toEqual(['goodbye-ada@example.com']);
      const [row] = await opened.rows(
        'select email, name, password_hash, role, email_verified_at, totp_secret from users where id = ?',
        ada.id,
      );
      expect(row).toEqual({
        email: `deleted:${ada.id}`,
        name: null,
        password_hash: '',
        role: 'user',
        email_verified_at: null,
        totp_secret: null,
      });
      expect(await store.findUserByEmail('ada@example.com')).toBeNull();
      // The stamp moved: a sign-in that read the account before cannot start a session.
      await expect(start(ada.id, 0)).rejects.toThrow(AuthError);
      // The address is free again.
      await expect(user({ email: 'ada@example.com' })).resolves.toMatchObject({ email: 'ada@example.com' });
      expect(await remove(ada.id)).toEqual({ ok: false, reason: 'no_such_account' });
    });

    it('drops the mail its links went out in, to its old and new addresses, before the goodbye', async () => {
      const ada = await user({ email: 'ada@old.example' });
      await confirm(await issue(ada.id, 'email_change', 'ada@new.example', 'ada@new.example'));
      await issue(ada.id, 'email_change', 'ada@newer.example', 'ada@newer.example');
      expect(await mailTo('ada@old.example')).toEqual(['undo-mail-ada@old.example']);

      await remove(ada.id);

      expect(await mailTo('ada@old.example')).toEqual([]);
      expect(await mailTo('ada@newer.example')).toEqual([]);
      expect(await mailTo('ada@new.example')).toEqual(['goodbye-ada@new.example']);
    });

    it('refuses the last admin, also when two admins delete each other at once', async () => {
      const ada = await user();
      const bob = await user();
      await opened.rows("update users set role = 'admin' where id in (?, ?)", ada.id, bob.id);

      const outcomes = await Promise.all([remove(ada.id), remove(bob.id)]);

      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, reason: 'last_admin' }]);
      const admins = await opened.rows("select id from users where role = 'admin' and deleted_at is null");
      expect(admins).toHaveLength(1);
    });

    it('is gone for good a day later: housekeeping deletes the stripped row and what cascades from it', async () => {
      const ada = await user();
      const session = await start(ada.id);
      await remove(ada.id, t0);

      expect((await store.pruneExpired(t0 + DELETED_ACCOUNT_RETENTION_MS - 1)).deletedAccounts).toBe(0);
      expect((await store.pruneExpired(t0 + DELETED_ACCOUNT_RETENTION_MS + 1)).deletedAccounts).toBe(1);
      expect(await opened.rows('select id from users where id = ?', ada.id)).toEqual([]);
      expect(await opened.rows('select id from sessions where id = ?', session.sessionId)).toEqual([]);
    });
  });
});
