/**
 * Password reset and email verification over a real SMTP server (issue 13): the mail path end to
 * end, from the procedure to the message a test SMTP server receives.
 */
import { type SmtpSink, startSmtpSink } from '@tessera/mail/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import { callProcedure, rawSql, refreshTokenFrom, registerUser, startTestServer, testServers } from './testing';

let sink: SmtpSink;
beforeEach(async () => {
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
});
// Registered after the sink's: the servers stop before it closes.
const servers = testServers();

const start = (env: Record<string, string> = {}) =>
  servers.start({ SMTP_URL: sink.url, MAIL_FROM: 'Tessera <no-reply@example.com>', ...env });

/** The token in a mail's link, e.g. /reset-password#token=… */
function tokenIn(text: string | undefined, path: string): string {
  const match = new RegExp(`${path}#token=([A-Za-z0-9_-]{43})`).exec(text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in: ${text}`);
  return match[1];
}

const requestReset = (url: string, email: string) =>
  callProcedure(url, 'auth.password.requestReset', { input: { email } });
const reset = (url: string, token: string, newPassword = 'a brand new password') =>
  callProcedure(url, 'auth.password.reset', { input: { token, newPassword } });
const login = (url: string, email: string, password: string) =>
  callProcedure(url, 'auth.login', { input: { email, password } });
const me = (url: string, accessToken: string) =>
  callProcedure(url, 'auth.me', { method: 'GET', headers: { authorization: `Bearer ${accessToken}` } });

describe('email verification', () => {
  it('mails a link on registration that verifies the address, once', async () => {
    const server = await start();
    const { accessToken } = await registerUser(server.url, 'ada@example.com');
    expect((await me(server.url, accessToken)).body).toMatchObject({ result: { data: { emailVerified: false } } });

    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toBe('Confirm your email address');
    expect(mail?.html).toContain('/verify-email#token=');
    const token = tokenIn(mail?.text, '/verify-email');
    expect((await callProcedure(server.url, 'auth.email.verify', { input: { token } })).status).toBe(200);
    // The user read is reused for a second at most.
    await expect
      .poll(async () => (await me(server.url, accessToken)).body, { timeout: 15_000 })
      .toMatchObject({ result: { data: { emailVerified: true } } });
    const again = await callProcedure(server.url, 'auth.email.verify', { input: { token } });
    expect(again.status).toBe(400);
    expect(again.message).toBe('This confirmation link was already used.');
  });
});

describe('a fresh confirmation link', () => {
  it('is mailed on request to a signed-in user, replaces the last one, and is throttled', async () => {
    const server = await start();
    const { accessToken } = await registerUser(server.url, 'ada@example.com');
    const headers = { authorization: `Bearer ${accessToken}` };
    const ask = () => callProcedure(server.url, 'auth.email.requestVerification', { headers });
    expect((await ask()).status).toBe(200);
    const [first, second] = await sink.waitFor(2);
    expect(second?.subject).toBe('Confirm your email address');
    const stale = await callProcedure(server.url, 'auth.email.verify', {
      input: { token: tokenIn(first?.text, '/verify-email') },
    });
    expect(stale.message).toBe('A newer confirmation link was sent since this one. Use the newest mail.');
    for (let i = 0; i < 4; i++) expect((await ask()).status).toBe(200);
    const throttled = await ask();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await callProcedure(server.url, 'auth.email.requestVerification')).status).toBe(401);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  it('refuses sign-in until the address is confirmed, then lets it in', async () => {
    const server = await start({ REQUIRE_VERIFIED_EMAIL: 'true' });
    const registered = await callProcedure(server.url, 'auth.register', {
      input: { email: 'ada@example.com', password: 'a strong password' },
    });
    expect(registered.status).toBe(401);
    expect(registered.reason).toBe('EMAIL_NOT_VERIFIED');
    expect(refreshTokenFrom(registered.headers)).toBeNull();
    const refused = await login(server.url, 'ada@example.com', 'a strong password');
    expect(refused.reason).toBe('EMAIL_NOT_VERIFIED');
    // A wrong password says only that: the address's state is for whoever knows the password.
    expect((await login(server.url, 'ada@example.com', 'not the password')).reason).toBe('INVALID_CREDENTIALS');

    const [mail] = await sink.waitFor(1);
    const token = tokenIn(mail?.text, '/verify-email');
    expect((await callProcedure(server.url, 'auth.email.verify', { input: { token } })).status).toBe(200);
    expect((await login(server.url, 'ada@example.com', 'a strong password')).status).toBe(200);
  });

  /** @see issue 20, finding 13: turning the flag on left the unverified sessions already there working. */
  it('binds the sessions started before it was turned on: refresh and session reads refuse them', async () => {
    const before = await startTestServer({ env: { SMTP_URL: sink.url } });
    const { accessToken, refreshToken } = await registerUser(before.url, 'ada@example.com');
    await before.close();
    const after = await startTestServer({
      dbFile: before.dbFile,
      env: { SMTP_URL: sink.url, REQUIRE_VERIFIED_EMAIL: 'true' },
    });
    try {
      const asOwner = { authorization: `Bearer ${accessToken}` };
      const sessions = await callProcedure(after.url, 'auth.sessions.list', { method: 'GET', headers: asOwner });
      expect([sessions.status, sessions.reason]).toEqual([401, 'EMAIL_NOT_VERIFIED']);
      // The way out stays open: a new confirmation link.
      const resend = await callProcedure(after.url, 'auth.email.requestVerification', { headers: asOwner });
      expect(resend.status).toBe(200);
      const refreshed = await callProcedure(after.url, 'auth.refresh', {
        headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}`, origin: after.publicOrigin },
      });
      expect([refreshed.status, refreshed.reason]).toEqual([401, 'EMAIL_NOT_VERIFIED']);
      // The refused refresh ended the session: nothing of it is left to use.
      const ended = await callProcedure(after.url, 'auth.sessions.list', { method: 'GET', headers: asOwner });
      expect([ended.status, ended.reason]).toEqual([401, 'SESSION_REVOKED']);
    } finally {
      await after.close();
      await before.dispose();
    }
  });
});

describe('password reset', () => {
  it('answers a known and an unknown address alike, and mails only the known one', async () => {
    const server = await start();
    await registerUser(server.url, 'ada@example.com');
    await sink.waitFor(1); // the verification mail

    const known = await requestReset(server.url, 'ada@example.com');
    const unknown = await requestReset(server.url, 'nobody@example.com');
    expect(known.status).toBe(200);
    expect(unknown.text).toBe(known.text);
    expect(unknown.status).toBe(known.status);

    const [, resetMail] = await sink.waitFor(2);
    expect(resetMail?.subject).toBe('Reset your password');
    expect(resetMail?.to && 'text' in resetMail.to ? resetMail.to.text : '').toBe('ada@example.com');
    // Nothing more arrives for the unknown address: a third mail would have to be for it.
    await requestReset(server.url, 'ada@example.com');
    const all = await sink.waitFor(3);
    expect(all.map((mail) => (mail.to && 'text' in mail.to ? mail.to.text : ''))).not.toContain('nobody@example.com');
  });

  it('works once: sets the password, signs this browser in, and ends every other session', async () => {
    const server = await start();
    const other = await registerUser(server.url, 'ada@example.com');
    await requestReset(server.url, 'ada@example.com');
    const [, mail] = await sink.waitFor(2);
    const token = tokenIn(mail?.text, '/reset-password');

    // At rest: the token only as a hash, and a sent message (with its link) erased.
    const stored = JSON.stringify(await rawSql(server.dbFile, 'select * from email_tokens'));
    expect(stored).not.toContain(token);
    await expect
      .poll(async () => rawSql(server.dbFile, 'select sealed_message as message from mail_outbox'))
      .toEqual([{ message: '' }, { message: '' }]);

    const answer = await reset(server.url, token);
    expect(answer.status).toBe(200);
    expect(refreshTokenFrom(answer.headers)).toMatch(/^[\w-]{43}$/);
    expect(answer.body).toMatchObject({
      result: { data: { user: { email: 'ada@example.com', emailVerified: true } } },
    });

    // The other device is signed out: its access and refresh tokens are refused.
    expect((await me(server.url, other.accessToken)).status).toBe(401);
    const refreshed = await callProcedure(server.url, 'auth.refresh', {
      headers: { cookie: `${REFRESH_COOKIE_NAME}=${other.refreshToken}` },
    });
    expect(refreshed.status).toBe(401);
    // The old password no longer works; the new one does.
    expect((await login(server.url, 'ada@example.com', 'a strong password')).status).toBe(401);
    expect((await login(server.url, 'ada@example.com', 'a brand new password')).status).toBe(200);

    const second = await reset(server.url, token, 'yet another password');
    expect(second.status).toBe(400);
    expect(second.message).toBe('This reset link was already used. Ask for a new one if you need to.');
  });

  /** @see issue 26: a changed or reset password told nobody, where an added passkey did. */
  it('tells the owner when the password is reset or changed, when, and how to undo it', async () => {
    const server = await start();
    const ada = await registerUser(server.url, 'ada@example.com');
    // An address nobody proved hears nothing: it may not be the account holder's.
    const unproved = await callProcedure(server.url, 'auth.changePassword', {
      input: { currentPassword: 'a strong password', newPassword: 'a second password' },
      headers: { authorization: `Bearer ${ada.accessToken}` },
    });
    expect(unproved.status).toBe(200);

    await requestReset(server.url, 'ada@example.com');
    const [, resetMail] = await sink.waitFor(2);
    const answer = await reset(server.url, tokenIn(resetMail?.text, '/reset-password'));
    expect(answer.status).toBe(200);
    const [, , resetNotice] = await sink.waitFor(3);
    expect(resetNotice?.subject).toBe('Your password was reset');
    expect(resetNotice?.text).toMatch(/reset through a mailed link on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(resetNotice?.text).toContain(`${server.publicOrigin}/forgot-password`);
    expect(resetNotice?.text).toContain('If you did not do this, reset your password now');

    const { accessToken } = (answer.body as { result: { data: { accessToken: string } } }).result.data;
    const changed = await callProcedure(server.url, 'auth.changePassword', {
      input: { currentPassword: 'a brand new password', newPassword: 'a third password' },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(changed.status).toBe(200);
    const [, , , changeNotice] = await sink.waitFor(4);
    expect(changeNotice?.subject).toBe('Your password was changed');
    // Verification, reset link, and the two notices: the unproved change sent nothing.
    expect(sink.received.map((mail) => mail.subject)).toEqual([
      'Confirm your email address',
      'Reset your password',
      'Your password was reset',
      'Your password was changed',
    ]);
  });

  it('refuses a link a newer request replaced, with a reason that says so', async () => {
    const server = await start();
    await registerUser(server.url, 'ada@example.com');
    await requestReset(server.url, 'ada@example.com');
    await sink.waitFor(2);
    await requestReset(server.url, 'ada@example.com');
    const [, older, newer] = await sink.waitFor(3);
    const refused = await reset(server.url, tokenIn(older?.text, '/reset-password'));
    expect(refused.status).toBe(400);
    expect(refused.message).toBe('A newer reset link was sent since this one. Use the newest mail, or ask again.');
    expect((await reset(server.url, tokenIn(newer?.text, '/reset-password'))).status).toBe(200);
  });

  /** @see issue 20, finding 10: on PostgreSQL two reset requests at once left two working links. */
  it('leaves one working link of a burst of requests at once: a newer one replaced each of the others', async () => {
    const server = await start();
    await registerUser(server.url, 'ada@example.com');
    await sink.waitFor(1);
    // Five at once: as many as one address may be mailed in an hour.
    const answers = await Promise.all(Array.from({ length: 5 }, () => requestReset(server.url, 'ada@example.com')));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const links = (await sink.waitFor(6)).slice(1).map((mail) => tokenIn(mail.text, '/reset-password'));
    const outcomes: Array<string | null> = [];
    for (const token of links) outcomes.push((await reset(server.url, token)).message);
    const replaced = 'A newer reset link was sent since this one. Use the newest mail, or ask again.';
    expect(outcomes.filter((message) => message === replaced)).toHaveLength(4);
    expect(outcomes.filter((message) => message !== replaced)).toEqual([null]);
  });

  it('refuses an expired link, saying so and offering a new one', async () => {
    const server = await start({ PASSWORD_RESET_TTL: '1' });
    await registerUser(server.url, 'ada@example.com');
    await requestReset(server.url, 'ada@example.com');
    const [, mail] = await sink.waitFor(2);
    // The link lives one second from its request; the condition under test is its age.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refused = await reset(server.url, tokenIn(mail?.text, '/reset-password'));
    expect(refused.status).toBe(400);
    expect(refused.message).toBe('This reset link has expired. Ask for a new one.');
  });

  it('sends at most five reset mails per address an hour, with Retry-After, for known and unknown addresses alike', async () => {
    const server = await start();
    for (let i = 0; i < 5; i++) expect((await requestReset(server.url, 'nobody@example.com')).status).toBe(200);
    const sixth = await requestReset(server.url, 'nobody@example.com');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sink.received).toEqual([]);
  });

  it('delivers a mail queued while the SMTP server was down once it is back, across a restart', async () => {
    let server = await start();
    await registerUser(server.url, 'ada@example.com');
    await sink.waitFor(1);
    await sink.down();
    expect((await requestReset(server.url, 'ada@example.com')).status).toBe(200);
    // The first attempts fail while the SMTP server is down; the server restarts meanwhile.
    server = await server.restart();
    await new Promise((resolve) => setTimeout(resolve, 5_000)); // the outage under test lasts 5 s
    await sink.up();
    const [, mail] = await sink.waitFor(2, 20_000);
    expect(mail?.subject).toBe('Reset your password');
    expect((await reset(server.url, tokenIn(mail?.text, '/reset-password'))).status).toBe(200);
  });
});

/** @see issue 20, finding 6: a production server logged every reset link at info, silently. */
describe('MAIL_TRANSPORT=log', () => {
  interface LogLine {
    level: number;
    event?: string;
    msg: string;
    subject?: string;
  }

  const startLogging = (env: Record<string, string>) => servers.startLogging<LogLine>(env);

  it('outside localhost, warns at start and with every mail it logs', async () => {
    const { server, log } = await startLogging({ PUBLIC_ORIGIN: 'https://app.example.com', MAIL_TRANSPORT: 'log' });
    expect(log.filter((line) => line.event === 'mail_transport_log')).toMatchObject([
      { level: 40, msg: expect.stringContaining('set SMTP_URL') },
    ]);

    await registerUser(server.url, 'ada@example.com');
    await requestReset(server.url, 'ada@example.com');
    const logged = () => log.filter((line) => line.event === 'mail_logged');
    await expect.poll(() => logged().length, { timeout: 15_000 }).toBe(2);
    expect(logged()).toMatchObject([
      { level: 40, subject: 'Confirm your email address', msg: expect.stringContaining('MAIL_TRANSPORT=log') },
      { level: 40, subject: 'Reset your password', msg: expect.stringContaining('MAIL_TRANSPORT=log') },
    ]);
    expect(sink.received).toEqual([]);
  });

  it('on localhost, logs mail at info with no warning, as development expects', async () => {
    const { server, log } = await startLogging({});
    await registerUser(server.url, 'ada@example.com');
    await expect
      .poll(() => log.find((line) => line.event === 'mail_logged'), { timeout: 15_000 })
      .toMatchObject({
        level: 30,
        subject: 'Confirm your email address',
      });
    expect(log.filter((line) => line.event === 'mail_transport_log')).toEqual([]);
  });
});
