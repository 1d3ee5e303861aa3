/**
 * The account's whole life over HTTP, on the server's engine (issue 26): an address changed
 * through a link to it and undone through a link to the old one, and an account deleted by its
 * owner or an admin, with requests in flight around each and a second instance told at once.
 */
import { join } from 'node:path';
import { SoftwareAuthenticator } from '@tessera/auth/testing';
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import {
  callProcedure,
  createTestClient,
  rawSql,
  refusal,
  registerUser,
  signedUpDevice,
  type TestServer,
  testServers,
} from './testing';

let sink: SmtpSink;
beforeEach(async () => {
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
});
// Registered after the sink's: the servers stop before it closes.
const servers = testServers();
const password = 'a strong password';

const start = (env: Record<string, string> = {}) =>
  servers.start({ SMTP_URL: sink.url, MAIL_FROM: 'Tessera <no-reply@example.com>', ...env });
const signedUp = (server: TestServer, email: string) => signedUpDevice(server, email, password);
const device = (server: TestServer) => createTestClient(server.url);

type ParsedMail = SmtpSink['received'][number];
/** Who a received mail went to. */
const recipientOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0]?.text : mail.to?.text);
/** The newest mail to `to` with this subject, once it arrives. */
async function mailTo(to: string, subject: string) {
  const matches = () => sink.received.filter((mail) => recipientOf(mail) === to && mail.subject === subject);
  await expect.poll(() => matches().length, { timeout: 15_000 }).toBeGreaterThan(0);
  return matches().at(-1);
}
/** The token of a link to `path` in a mail. */
function tokenIn(mail: { text?: string } | undefined, path: string): string {
  const match = new RegExp(`${path}#token=([A-Za-z0-9_-]{43})`).exec(mail?.text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in: ${mail?.text}`);
  return match[1];
}
/** The message a refused call carries. */
const messageOf = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCClientError ? error.message : Promise.reject(error)),
  );
/** What a refused call says ended its session (`data.sessionEnd`). */
const sessionEndOf = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (error: unknown) => (error instanceof TRPCClientError ? error.data?.sessionEnd : Promise.reject(error)),
  );

describe('an email change', () => {
  it('moves the account to a new address through a link to it, keeps the session that opens it, and tells the old address', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@old.example');
    const phone = device(server);
    await phone.client.auth.login.mutate({ email: 'ada@old.example', password });
    // A reset the old address asked for before the change must not work after it.
    await callProcedure(server.url, 'auth.password.requestReset', { input: { email: 'ada@old.example' } });
    const staleReset = tokenIn(await mailTo('ada@old.example', 'Reset your password'), '/reset-password');

    expect(await ada.client.auth.email.requestChange.mutate({ newEmail: 'Ada@New.Example' })).toEqual({ ok: true });
    const confirmation = await mailTo('ada@new.example', 'Confirm your new email address');
    const token = tokenIn(confirmation, '/confirm-email-change');

    expect(await ada.client.auth.email.confirmChange.mutate({ token })).toEqual({
      email: 'ada@new.example',
      endedSessions: 1,
    });
    // The device that opened the link goes on; its next refresh carries the new address.
    const refreshed = await ada.client.auth.refresh.mutate();
    expect(refreshed.user).toMatchObject({ email: 'ada@new.example', emailVerified: true });
    // The phone was signed out, and is told why.
    expect(await sessionEndOf(phone.client.auth.refresh.mutate())).toBe('email_changed');
    expect(await refusal(device(server).client.auth.login.mutate({ email: 'ada@old.example', password }))).toBe(
      'UNAUTHORIZED:INVALID_CREDENTIALS',
    );
    await device(server).client.auth.login.mutate({ email: 'ada@new.example', password });
    const staleAnswer = await callProcedure(server.url, 'auth.password.reset', {
      input: { token: staleReset, newPassword: 'a brand new password' },
    });
    expect(staleAnswer.message).toBe('A newer reset link was sent since this one. Use the newest mail, or ask again.');
    // The old address hears of it, with the way back.
    const notice = await mailTo('ada@old.example', 'Your account’s email address was changed');
    expect(notice?.text).toContain('ada@new.example');
    expect(notice?.text).toMatch(/\/undo-email-change#token=/);
    // The link works once.
    expect(await messageOf(ada.client.auth.email.confirmChange.mutate({ token }))).toBe(
      'This link was already used: the address was changed.',
    );
    ada.setAccessToken(refreshed.accessToken);
    const activity = (await ada.client.auth.activity.list.query()).map((event) => event.type);
    expect(activity).toEqual(expect.arrayContaining(['email_change_requested', 'email_changed']));
  });

  it('answers the same whether or not the address is taken, and mails nobody when it is', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    await signedUp(server, 'bob@example.com');
    await mailTo('bob@example.com', 'Confirm your email address');
    const ask = (newEmail: string) =>
      callProcedure(server.url, 'auth.email.requestChange', {
        input: { newEmail },
        headers: { authorization: `Bearer ${ada.session.accessToken}` },
      });
    const taken = await ask('bob@example.com');
    const free = await ask('free@example.com');
    expect([free.status, free.body]).toEqual([taken.status, taken.body]);
    expect(await messageOf(ada.client.auth.email.requestChange.mutate({ newEmail: 'ADA@example.com' }))).toBe(
      'That is your address already.',
    );

    // A stop waits for the work after every answer: then the links made are all there will be.
    const after = await server.restart();
    const linksTo = async (address: string) =>
      Number(
        (
          (await rawSql(
            after.dbFile,
            `select count(*) as n from email_tokens where purpose = 'email_change' and address = '${address}'`,
          )) as { n: number | string }[]
        )[0]?.n,
      );
    expect(await linksTo('free@example.com')).toBe(1);
    expect(await linksTo('bob@example.com')).toBe(0);
    await mailTo('free@example.com', 'Confirm your new email address');
    // Registration mailed Bob once; the request for his address mailed him nothing more (a link
    // and its mail are written together, and no link was).
    expect(sink.received.filter((mail) => recipientOf(mail) === 'bob@example.com')).toHaveLength(1);
  });

  it('is undone from the old address: the address comes back, every session ends, and what a thief added goes', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    // The thief holds Ada's session: adds a passkey, moves the address to theirs.
    const authenticator = new SoftwareAuthenticator({ origin: server.publicOrigin, rpId: 'localhost' });
    const options = await ada.client.auth.passkeys.registrationOptions.mutate();
    await ada.client.auth.passkeys.register.mutate({ response: authenticator.register(options), name: 'Thief' });
    await ada.client.auth.email.requestChange.mutate({ newEmail: 'thief@example.com' });
    const change = tokenIn(
      await mailTo('thief@example.com', 'Confirm your new email address'),
      '/confirm-email-change',
    );
    await ada.client.auth.email.confirmChange.mutate({ token: change });
    const undo = tokenIn(
      await mailTo('ada@example.com', 'Your account’s email address was changed'),
      '/undo-email-change',
    );

    expect(await device(server).client.auth.email.undoChange.mutate({ token: undo })).toEqual({
      email: 'ada@example.com',
      endedSessions: 1,
    });
    expect(await sessionEndOf(ada.client.auth.refresh.mutate())).toBe('email_change_undone');
    expect(await rawSql(server.dbFile, 'select id from passkeys')).toEqual([]);
    // The password stays; the owner signs in with the address that is theirs again.
    const owner = device(server);
    const back = await owner.client.auth.login.mutate({ email: 'ada@example.com', password });
    expect(back).toMatchObject({ user: { email: 'ada@example.com', emailVerified: true } });
    expect(await refusal(device(server).client.auth.login.mutate({ email: 'thief@example.com', password }))).toBe(
      'UNAUTHORIZED:INVALID_CREDENTIALS',
    );
    expect(await messageOf(device(server).client.auth.email.undoChange.mutate({ token: undo }))).toBe(
      'This link was already used: the address was put back.',
    );
  });

  it('holds the old address for its undo link: nobody can sign up with it meanwhile', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    await ada.client.auth.email.requestChange.mutate({ newEmail: 'ada@new.example' });
    const change = tokenIn(await mailTo('ada@new.example', 'Confirm your new email address'), '/confirm-email-change');
    await ada.client.auth.email.confirmChange.mutate({ token: change });
    expect(await refusal(device(server).client.auth.register.mutate({ email: 'ada@example.com', password }))).toBe(
      'CONFLICT:-',
    );
  });

  it('leaves no session but the opener’s when sign-ins with the old address race the confirmation', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    await ada.client.auth.email.requestChange.mutate({ newEmail: 'ada@new.example' });
    const token = tokenIn(await mailTo('ada@new.example', 'Confirm your new email address'), '/confirm-email-change');

    const racing = Array.from({ length: 8 }, () => device(server));
    const signIns = racing.map((other) =>
      other.client.auth.login.mutate({ email: 'ada@example.com', password }).then(
        () => 'signed in',
        () => 'refused',
      ),
    );
    await Promise.all([ada.client.auth.email.confirmChange.mutate({ token }), ...signIns]);

    // Whatever signed in before the change was ended by it; whatever came after found no such address.
    for (const other of racing) {
      expect(await refusal(other.client.auth.refresh.mutate())).not.toBe('OK');
    }
    ada.setAccessToken((await ada.client.auth.refresh.mutate()).accessToken);
    expect(await ada.client.auth.sessions.list.query()).toHaveLength(1);
  });
});

describe('deleting an account', () => {
  it('by its owner: every session ends at once, every row goes, the address gets a goodbye and is free again', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    const phone = device(server);
    await phone.client.auth.login.mutate({ email: 'ada@example.com', password });
    await ada.client.notes.create.mutate({ title: 'Groceries', body: 'eggs' });
    const bob = await signedUp(server, 'bob@example.com');
    await bob.client.notes.create.mutate({ title: 'Bob’s', body: 'stays' });
    const adaId = ada.session.user.id;

    expect(await messageOf(ada.client.auth.account.delete.mutate({ confirmEmail: 'bob@example.com' }))).toBe(
      'Type your email address exactly as it is shown to delete your account.',
    );
    expect(await ada.client.auth.account.delete.mutate({ confirmEmail: 'ADA@example.com' })).toEqual({ ok: true });

    expect(ada.jar.get(REFRESH_COOKIE_NAME) ?? null).toBeNull();
    expect(await sessionEndOf(ada.client.auth.me.query())).toBe('account_deleted');
    expect(await sessionEndOf(phone.client.auth.refresh.mutate())).toBe('account_deleted');
    expect(await refusal(device(server).client.auth.login.mutate({ email: 'ada@example.com', password }))).toBe(
      'UNAUTHORIZED:INVALID_CREDENTIALS',
    );
    const left = async (table: string) =>
      (await rawSql(server.dbFile, `select count(*) as n from ${table} where user_id = '${adaId}'`)) as {
        n: number | string;
      }[];
    for (const table of ['notes', 'auth_events', 'email_tokens', 'passkeys', 'identities', 'recovery_codes']) {
      expect(Number((await left(table))[0]?.n), table).toBe(0);
    }
    expect(
      await rawSql(server.dbFile, `select email, name, password_hash as "hash" from users where id = '${adaId}'`),
    ).toEqual([{ email: `deleted:${adaId}`, name: null, hash: '' }]);
    expect((await bob.client.notes.list.query({})).items).toHaveLength(1);
    const goodbye = await mailTo('ada@example.com', 'Your account was deleted');
    expect(goodbye?.text).toContain(`${server.publicOrigin}/sign-up`);

    // The address is free: a new account with it starts empty, whatever feature kept data before.
    const again = await signedUp(server, 'ada@example.com');
    const fresh = await signedUp(server, 'someone-new@example.com');
    const [mine, theirs] = await Promise.all([
      again.client.auth.account.export.query(),
      fresh.client.auth.account.export.query(),
    ]);
    expect(mine.features).toEqual(theirs.features);
  });

  it('by an admin, never the last admin', async () => {
    const server = await start();
    const bob = await signedUp(server, 'bob@example.com');
    await signedUp(server, 'root@example.com');
    await rawSql(server.dbFile, `update users set role = 'admin' where email = 'root@example.com'`);
    const root = device(server);
    const session = await root.client.auth.login.mutate({ email: 'root@example.com', password });
    if (!('accessToken' in session)) throw new Error('expected a session');
    root.setAccessToken(session.accessToken);

    expect(await refusal(bob.client.admin.users.delete.mutate({ userId: session.user.id }))).toBe('FORBIDDEN:-');
    expect(await root.client.admin.users.delete.mutate({ userId: bob.session.user.id })).toEqual({ ok: true });
    expect(await sessionEndOf(bob.client.auth.me.query())).toBe('account_deleted');
    expect((await mailTo('bob@example.com', 'Your account was deleted'))?.text).toContain('An administrator');
    expect(await messageOf(root.client.admin.users.delete.mutate({ userId: bob.session.user.id }))).toBe(
      'No such user.',
    );
    expect(await messageOf(root.client.admin.users.delete.mutate({ userId: session.user.id }))).toMatch(
      /^This is the only admin account, so it cannot be deleted\./,
    );
    expect(await messageOf(root.client.auth.account.delete.mutate({ confirmEmail: 'root@example.com' }))).toMatch(
      /^This is the only admin account/,
    );
    expect((await root.client.admin.users.list.query()).items.map((user) => user.email)).toEqual(['root@example.com']);
  });

  it('leaves nothing alive when refreshes and writes are in flight around it', async () => {
    const server = await start();
    const ada = await signedUp(server, 'ada@example.com');
    const devices = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const other = device(server);
        const signedIn = await other.client.auth.login.mutate({ email: 'ada@example.com', password });
        if ('accessToken' in signedIn) other.setAccessToken(signedIn.accessToken);
        return other;
      }),
    );
    const inFlight = devices.flatMap((other) => [
      other.client.auth.refresh.mutate().then(
        () => 'refreshed',
        () => 'refused',
      ),
      other.client.notes.create.mutate({ title: 'Written meanwhile', body: '' }).then(
        () => 'written',
        () => 'refused',
      ),
    ]);
    await Promise.all([ada.client.auth.account.delete.mutate({ confirmEmail: 'ada@example.com' }), ...inFlight]);

    for (const other of devices) {
      expect(await sessionEndOf(other.client.auth.refresh.mutate())).toBe('account_deleted');
      expect(await refusal(other.client.notes.list.query({}))).toBe('UNAUTHORIZED:SESSION_REVOKED');
    }
    const live = await rawSql(
      server.dbFile,
      `select s.id from sessions s join users u on u.id = s.user_id where u.email like 'deleted:%' and s.revoked_at is null`,
    );
    expect(live).toEqual([]);
  });

  it('is refused at once by another instance of the server, which says why', async () => {
    const env = { DATABASE_URL: join(servers.folder('tessera-deletion-'), 'tessera.db') };
    const [{ url: urlA }, { url: urlB }] = await servers.spawnPair(env);
    const { accessToken } = await registerUser(urlA, 'fleet@example.com');
    const bearer = { authorization: `Bearer ${accessToken}` };
    const me = (url: string) => callProcedure(url, 'auth.me', { method: 'GET', headers: bearer });
    expect((await me(urlB)).status).toBe(200);

    const deleted = await callProcedure(urlA, 'auth.account.delete', {
      input: { confirmEmail: 'fleet@example.com' },
      headers: bearer,
    });
    expect(deleted.status).toBe(200);
    const deletedAt = performance.now();
    let onB = await me(urlB);
    while (onB.status === 200 && performance.now() - deletedAt < 5_000) onB = await me(urlB);
    expect(onB).toMatchObject({ status: 401, reason: 'SESSION_REVOKED' });
    expect(performance.now() - deletedAt).toBeLessThan(1_000);
    expect(onB.body).toMatchObject({ error: { data: { sessionEnd: 'account_deleted' } } });
  });
});

describe('changing the address and deleting the account', () => {
  it('each asks for a fresh proof first, and does nothing without it', async () => {
    const server = await start({ REAUTH_MAX_AGE: '30' });
    const ada = await signedUp(server, 'ada@example.com');
    await rawSql(server.dbFile, 'update sessions set auth_time = 1');
    ada.setAccessToken((await ada.client.auth.refresh.mutate()).accessToken);
    expect(await refusal(ada.client.auth.email.requestChange.mutate({ newEmail: 'new@example.com' }))).toBe(
      'UNAUTHORIZED:REAUTH_REQUIRED',
    );
    expect(await refusal(ada.client.auth.account.delete.mutate({ confirmEmail: 'ada@example.com' }))).toBe(
      'UNAUTHORIZED:REAUTH_REQUIRED',
    );
    expect(await ada.client.auth.me.query()).toMatchObject({ email: 'ada@example.com' });
  });
});
