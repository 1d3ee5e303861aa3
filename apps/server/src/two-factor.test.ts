/**
 * Issue 23: two-step verification over the real server, on each engine. Codes come from
 * `otpauth`, a software TOTP generator as authenticator apps compute them; passkeys from the
 * software authenticator with real keys. Every attack is what a client could send.
 */
import { SoftwareAuthenticator } from '@tessera/auth/testing';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from './refresh-cookie';
import {
  callProcedure,
  createTestClient,
  rawSql,
  refusal,
  signedInOnly,
  signedUpDevice,
  type TestServer,
  testServers,
} from './testing';

const servers = testServers();
const password = 'a strong password';

interface LogLine {
  subject?: string;
  to?: string;
  text?: string;
}

/** The code an authenticator app shows `steps` steps from now (30 s each). */
function codeFor(secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + steps * 30_000 });
}

/** `count` six-digit codes that are none of the codes the server would accept now. */
function wrongCodes(secret: string, count: number): string[] {
  const valid = new Set([-2, -1, 0, 1, 2].map((steps) => codeFor(secret, steps)));
  const codes: string[] = [];
  for (let n = 1; codes.length < count; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) codes.push(code);
  }
  return codes;
}

/**
 * Waits, if need be, until the current 30-second step has at least 3 s left: a code computed now
 * then reaches the server in the step it was computed for (a condition, not luck).
 */
async function awayFromStepEdge(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 3_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

const signedUp = (server: TestServer, email: string) => signedUpDevice(server, email, password);
type Device = Awaited<ReturnType<typeof signedUp>>;

/**
 * Sets up two-step verification from the device, as the Account page does: the secret, then a
 * code from the app. The code is the previous step's, so the current and next are left for sign-ins.
 */
async function enrol(device: Device) {
  const { secret, uri } = await device.client.auth.twoFactor.setup.mutate();
  await awayFromStepEdge();
  const { recoveryCodes } = await device.client.auth.twoFactor.confirm.mutate({ code: codeFor(secret, -1) });
  return { secret, uri, recoveryCodes };
}

/** The password step from a new browser: the pending sign-in it answers. */
async function passwordStep(server: TestServer, email: string) {
  const device = createTestClient(server.url);
  const answer = await device.client.auth.login.mutate({ email, password });
  if (!('secondFactorRequired' in answer)) throw new Error('expected a second step');
  return { ...device, pendingSignIn: answer.pendingSignIn };
}

const authenticatorFor = (server: TestServer) =>
  new SoftwareAuthenticator({ origin: server.publicOrigin, rpId: new URL(server.publicOrigin).hostname });

describe('two-step verification', () => {
  it('enrols with a code, then signs in in two steps: no cookie after the password, a session after the code', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    expect(await ada.client.auth.twoFactor.status.query()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    const { secret, uri, recoveryCodes } = await enrol(ada);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const link = new URL(uri);
    expect([link.protocol, link.host, decodeURIComponent(link.pathname)]).toEqual([
      'otpauth:',
      'totp',
      '/Tessera:ada@example.com',
    ]);
    expect(link.searchParams.get('issuer')).toBe('Tessera');
    expect(recoveryCodes).toHaveLength(10);
    expect(await ada.client.auth.twoFactor.status.query()).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect(await ada.client.auth.me.query()).toMatchObject({ twoFactorEnabled: true });
    expect(await refusal(ada.client.auth.twoFactor.setup.mutate())).toBe('CONFLICT:-');

    // The password step over raw HTTP: a typed answer, and no cookie of any kind.
    const first = await callProcedure(server.url, 'auth.login', {
      input: { email: 'ada@example.com', password },
      headers: { origin: server.publicOrigin },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toBeNull();
    const pending = (first.body as { result: { data: { secondFactorRequired: true; pendingSignIn: string } } }).result
      .data;
    expect(pending).toEqual({ secondFactorRequired: true, pendingSignIn: expect.stringMatching(/^[\w-]{43}$/) });

    const second = await callProcedure(server.url, 'auth.twoFactor.verify', {
      input: { pendingSignIn: pending.pendingSignIn, code: codeFor(secret) },
      headers: { origin: server.publicOrigin },
    });
    expect(second.status).toBe(200);
    expect(second.headers.get('set-cookie')).toContain(`${REFRESH_COOKIE_NAME}=`);
    const session = (second.body as { result: { data: { accessToken: string; user: { twoFactorEnabled: boolean } } } })
      .result.data;
    expect(session.user.twoFactorEnabled).toBe(true);
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['pwd', 'otp'] });
    const activity = await ada.client.auth.activity.list.query();
    expect(activity.slice(0, 2).map((event) => [event.type, event.method])).toEqual([
      ['signed_in', 'password_totp'],
      ['two_factor_enabled', null],
    ]);
  });

  it('refuses a replayed code, a code of the previous enrolment, and a wrong one, with INVALID_CODE', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    const { secret } = await enrol(ada);
    const first = await passwordStep(server, ada.email);
    const code = codeFor(secret);
    await first.client.auth.twoFactor.verify.mutate({ pendingSignIn: first.pendingSignIn, code });
    const replay = await passwordStep(server, ada.email);
    expect(
      await refusal(replay.client.auth.twoFactor.verify.mutate({ pendingSignIn: replay.pendingSignIn, code })),
    ).toBe('UNAUTHORIZED:INVALID_CODE');
    // The code used at confirmation is an earlier step: refused too.
    expect(
      await refusal(
        replay.client.auth.twoFactor.verify.mutate({ pendingSignIn: replay.pendingSignIn, code: codeFor(secret, -1) }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CODE');

    // Off and on again with a new secret: the old app's codes are worth nothing.
    await ada.client.auth.twoFactor.disable.mutate();
    expect(await ada.client.auth.twoFactor.status.query()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    const again = await enrol(ada);
    expect(again.secret).not.toBe(secret);
    const fresh = await passwordStep(server, ada.email);
    await awayFromStepEdge();
    expect(
      await refusal(
        fresh.client.auth.twoFactor.verify.mutate({ pendingSignIn: fresh.pendingSignIn, code: codeFor(secret, 1) }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CODE');
    const [wrong = ''] = wrongCodes(again.secret, 1);
    expect(
      await refusal(fresh.client.auth.twoFactor.verify.mutate({ pendingSignIn: fresh.pendingSignIn, code: wrong })),
    ).toBe('UNAUTHORIZED:INVALID_CODE');
    const session = await fresh.client.auth.twoFactor.verify.mutate({
      pendingSignIn: fresh.pendingSignIn,
      code: codeFor(again.secret, 1),
    });
    expect(session.user.email).toBe(ada.email);
  });

  it('accepts one code once when two instances race with it', async () => {
    const first = await servers.start({ RATE_LIMIT: 'off' });
    const second = await servers.start({ RATE_LIMIT: 'off' }, { dbFile: first.dbFile });
    const ada = await signedUp(first, 'ada@example.com');
    const { secret } = await enrol(ada);
    const instances = [first, second, first, second];
    const pending = await Promise.all(instances.map((server) => passwordStep(server, ada.email)));
    await awayFromStepEdge();
    const code = codeFor(secret);
    const results = await Promise.all(
      pending.map((step) =>
        refusal(step.client.auth.twoFactor.verify.mutate({ pendingSignIn: step.pendingSignIn, code })),
      ),
    );
    expect(results.toSorted()).toEqual(['OK', ...Array(3).fill('UNAUTHORIZED:INVALID_CODE')]);
  });

  it('takes a recovery code once, mails the owner, and counts what is left; new codes replace the old', async () => {
    const { server, log } = await servers.startLogging<LogLine>();
    const ada = await signedUp(server, 'ada@example.com');
    const { recoveryCodes } = await enrol(ada);
    const [code = '', other = ''] = recoveryCodes;
    const step = await passwordStep(server, ada.email);
    // Typed as people type it: upper case, a space for the dash.
    const session = await step.client.auth.twoFactor.verify.mutate({
      pendingSignIn: step.pendingSignIn,
      recoveryCode: code.toUpperCase().replace('-', ' '),
    });
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['pwd', 'otp'] });
    await expect
      .poll(() => log.find((line) => line.subject === 'A recovery code was used on your account'), { timeout: 15_000 })
      .toMatchObject({ to: 'ada@example.com', text: expect.stringContaining('9 recovery codes are left') });
    const again = await passwordStep(server, ada.email);
    expect(
      await refusal(
        again.client.auth.twoFactor.verify.mutate({ pendingSignIn: again.pendingSignIn, recoveryCode: code }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CODE');
    expect(await ada.client.auth.twoFactor.status.query()).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    const { recoveryCodes: renewed } = await ada.client.auth.twoFactor.regenerateRecoveryCodes.mutate();
    expect(renewed).toHaveLength(10);
    expect(renewed).not.toContain(other);
    expect(
      await refusal(
        again.client.auth.twoFactor.verify.mutate({ pendingSignIn: again.pendingSignIn, recoveryCode: other }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CODE');
    expect(await ada.client.auth.twoFactor.status.query()).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect((await ada.client.auth.activity.list.query()).map((event) => event.type)).toContain('recovery_code_used');
  });

  it('spends a pending sign-in after five answers, when it expires, once used, and from another client', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    const { secret, recoveryCodes } = await enrol(ada);
    const verify = (pendingSignIn: string, input: Record<string, string>, userAgent = 'browser A') =>
      callProcedure(server.url, 'auth.twoFactor.verify', {
        input: { pendingSignIn, ...input },
        headers: { origin: server.publicOrigin, 'user-agent': userAgent },
      });
    const passwordFrom = async (userAgent = 'browser A') => {
      const answer = await callProcedure(server.url, 'auth.login', {
        input: { email: ada.email, password },
        headers: { origin: server.publicOrigin, 'user-agent': userAgent },
      });
      return (answer.body as { result: { data: { pendingSignIn: string } } }).result.data.pendingSignIn;
    };

    // Five wrong codes at once spend it: the right one after them is refused.
    const guessed = await passwordFrom();
    const guesses = await Promise.all(wrongCodes(secret, 5).map((code) => verify(guessed, { code })));
    expect(guesses.map((answer) => answer.reason)).toEqual(Array(5).fill('INVALID_CODE'));
    await awayFromStepEdge();
    expect((await verify(guessed, { code: codeFor(secret) })).reason).toBe('PENDING_SIGN_IN_EXPIRED');

    // Another client (another user agent) holding the handle gets nothing from it.
    const stolen = await passwordFrom();
    expect((await verify(stolen, { recoveryCode: recoveryCodes[0] ?? '' }, 'an attacker')).reason).toBe(
      'PENDING_SIGN_IN_EXPIRED',
    );
    // The owner's own answer still works, once.
    expect((await verify(stolen, { recoveryCode: recoveryCodes[0] ?? '' })).status).toBe(200);
    expect((await verify(stolen, { recoveryCode: recoveryCodes[1] ?? '' })).reason).toBe('PENDING_SIGN_IN_EXPIRED');

    // Five minutes on, it has expired.
    const late = await passwordFrom();
    await rawSql(server.dbFile, 'update pending_sign_ins set expires_at = 1');
    expect((await verify(late, { recoveryCode: recoveryCodes[1] ?? '' })).reason).toBe('PENDING_SIGN_IN_EXPIRED');
    // A handle that was never given, and a malformed one.
    expect((await verify('A'.repeat(43), { code: '123456' })).reason).toBe('PENDING_SIGN_IN_EXPIRED');
    expect((await verify('short', { code: '123456' })).code).toBe('BAD_REQUEST');
    expect((await verify(late, { code: '12345' })).code).toBe('BAD_REQUEST');
  });

  it('lets a passkey be the second step, and a passkey sign-in skip it', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    await enrol(ada);
    const authenticator = authenticatorFor(server);
    const options = await ada.client.auth.passkeys.registrationOptions.mutate();
    await ada.client.auth.passkeys.register.mutate({ response: authenticator.register(options), name: 'Laptop' });

    const step = await passwordStep(server, ada.email);
    const challenge = await step.client.auth.passkeys.authenticationOptions.mutate();
    const session = await step.client.auth.twoFactor.verify.mutate({
      pendingSignIn: step.pendingSignIn,
      passkey: authenticator.authenticate(challenge),
    });
    expect(decodeJwt(session.accessToken)).toMatchObject({ amr: ['pwd', 'hwk', 'user'] });

    // Someone else's passkey is no second step for Ada.
    const bo = await signedUp(server, 'bo@example.com');
    const bosKey = authenticatorFor(server);
    await bo.client.auth.passkeys.register.mutate({
      response: bosKey.register(await bo.client.auth.passkeys.registrationOptions.mutate()),
    });
    const other = await passwordStep(server, ada.email);
    const foreign = bosKey.authenticate(await other.client.auth.passkeys.authenticationOptions.mutate());
    expect(
      await refusal(
        other.client.auth.twoFactor.verify.mutate({ pendingSignIn: other.pendingSignIn, passkey: foreign }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CODE');

    // A passkey sign-in is both factors at once.
    const direct = createTestClient(server.url);
    const signedIn = await direct.client.auth.passkeys.authenticate.mutate({
      response: authenticator.authenticate(await direct.client.auth.passkeys.authenticationOptions.mutate()),
    });
    expect(signedIn.user.email).toBe(ada.email);
  });

  it('asks for a fresh proof with the second factor before turning off, new codes and passkey removal', async () => {
    const server = await servers.start();
    const ada = await signedUp(server, 'ada@example.com');
    const { secret } = await enrol(ada);
    await rawSql(server.dbFile, 'update sessions set auth_time = 1');
    ada.setAccessToken((await ada.client.auth.refresh.mutate()).accessToken);
    expect(await refusal(ada.client.auth.twoFactor.disable.mutate())).toBe('UNAUTHORIZED:REAUTH_REQUIRED');
    expect(await refusal(ada.client.auth.twoFactor.regenerateRecoveryCodes.mutate())).toBe(
      'UNAUTHORIZED:REAUTH_REQUIRED',
    );
    expect(await refusal(ada.client.auth.passkeys.removeAll.mutate())).toBe('UNAUTHORIZED:REAUTH_REQUIRED');
    // The password alone is one factor of two.
    expect(await refusal(ada.client.auth.reauthenticate.mutate({ password }))).toBe('UNAUTHORIZED:INVALID_CODE');
    await awayFromStepEdge();
    const proved = await ada.client.auth.reauthenticate.mutate({ password, code: codeFor(secret) });
    expect(decodeJwt(proved.accessToken)).toMatchObject({ amr: ['pwd', 'otp'] });
    ada.setAccessToken(proved.accessToken);
    expect(await ada.client.auth.passkeys.removeAll.mutate()).toEqual({ removed: 0 });
    await ada.client.auth.twoFactor.disable.mutate();
    expect(signedInOnly(await ada.client.auth.login.mutate({ email: ada.email, password })).user).toMatchObject({
      twoFactorEnabled: false,
    });
  });

  it('keeps an admin without two-step verification out while REQUIRE_2FA_FOR_ADMINS is on; an admin resets a user’s', async () => {
    const { server, log } = await servers.startLogging<LogLine>({ REQUIRE_2FA_FOR_ADMINS: 'true' });
    const bo = await signedUp(server, 'bo@example.com');
    await enrol(bo);
    const admin = await signedUp(server, 'admin@example.com');
    await rawSql(server.dbFile, `update users set role = 'admin' where email = 'admin@example.com'`);
    admin.setAccessToken(
      signedInOnly(await admin.client.auth.login.mutate({ email: admin.email, password })).accessToken,
    );
    expect(await refusal(admin.client.admin.users.list.query())).toBe('FORBIDDEN:TWO_FACTOR_REQUIRED');
    await enrol(admin);
    const page = await admin.client.admin.users.list.query();
    expect(page.items.map((user) => [user.email, user.twoFactorEnabled])).toEqual([
      ['admin@example.com', true],
      ['bo@example.com', true],
    ]);

    await admin.client.admin.users.resetTwoFactor.mutate({ userId: bo.session.user.id });
    // Every session of Bo's ended; the password alone signs in now, and Bo is told.
    expect(await refusal(bo.client.auth.refresh.mutate())).toBe('UNAUTHORIZED:SESSION_REVOKED');
    expect(signedInOnly(await bo.client.auth.login.mutate({ email: bo.email, password })).user.twoFactorEnabled).toBe(
      false,
    );
    await expect
      .poll(() => log.find((line) => line.subject === 'Two-step verification was turned off on your account'), {
        timeout: 15_000,
      })
      .toMatchObject({ to: 'bo@example.com' });
    expect(await refusal(admin.client.admin.users.resetTwoFactor.mutate({ userId: bo.session.user.id }))).toBe(
      'NOT_FOUND:-',
    );
  });

  it('asks a reset by mailed link for the second step too, and refuses a second step once the password changed', async () => {
    const { server, log } = await servers.startLogging<LogLine>();
    const ada = await signedUp(server, 'ada@example.com');
    const { secret } = await enrol(ada);

    // A sign-in whose password step came before a password change cannot finish after it.
    const stale = await passwordStep(server, ada.email);
    await ada.client.auth.changePassword.mutate({ currentPassword: password, newPassword: 'a newer password' });
    await awayFromStepEdge();
    expect(
      await refusal(
        stale.client.auth.twoFactor.verify.mutate({ pendingSignIn: stale.pendingSignIn, code: codeFor(secret) }),
      ),
    ).toBe('UNAUTHORIZED:INVALID_CREDENTIALS');

    const owner = createTestClient(server.url);
    await owner.client.auth.password.requestReset.mutate({ email: ada.email });
    const resetLink = () => /reset-password#token=([\w-]{43})/.exec(log.map((line) => line.text).join(' '))?.[1];
    await expect.poll(resetLink, { timeout: 15_000 }).toBeDefined();
    const answer = await owner.client.auth.password.reset.mutate({ token: resetLink() ?? '', newPassword: password });
    expect(answer).toEqual({
      secondFactorRequired: true,
      pendingSignIn: expect.any(String),
      removedPasskeys: 0,
      keptPasskeys: 0,
    });
    if (!('pendingSignIn' in answer)) throw new Error('expected a second step');
    expect(owner.jar.get(REFRESH_COOKIE_NAME)).toBeUndefined();
    const session = await owner.client.auth.twoFactor.verify.mutate({
      pendingSignIn: answer.pendingSignIn,
      code: codeFor(secret, 1),
    });
    expect(session.user.email).toBe(ada.email);
  });

  it('leaves no session alive when an admin reset races second steps in flight', async () => {
    const server = await servers.start({ RATE_LIMIT: 'off' });
    const ada = await signedUp(server, 'ada@example.com');
    const { recoveryCodes } = await enrol(ada);
    const admin = await signedUp(server, 'admin@example.com');
    await rawSql(server.dbFile, `update users set role = 'admin' where email = 'admin@example.com'`);
    admin.setAccessToken(
      signedInOnly(await admin.client.auth.login.mutate({ email: admin.email, password })).accessToken,
    );
    const steps = await Promise.all(recoveryCodes.slice(0, 8).map(() => passwordStep(server, ada.email)));

    const [reset, ...answers] = await Promise.allSettled([
      admin.client.admin.users.resetTwoFactor.mutate({ userId: ada.session.user.id }),
      ...steps.map((step, i) =>
        step.client.auth.twoFactor.verify.mutate({
          pendingSignIn: step.pendingSignIn,
          recoveryCode: recoveryCodes[i] ?? '',
        }),
      ),
    ]);
    expect(reset.status).toBe('fulfilled');
    // Whichever second step finished before the reset has its session ended by it; the rest were refused.
    for (const [i, answer] of answers.entries()) {
      const step = steps[i];
      if (answer.status === 'rejected' || !step) continue;
      step.setAccessToken(answer.value.accessToken);
      expect(await refusal(step.client.auth.refresh.mutate())).toBe('UNAUTHORIZED:SESSION_REVOKED');
      expect(await refusal(step.client.auth.sessions.list.query())).toBe('UNAUTHORIZED:SESSION_REVOKED');
    }
    expect(await refusal(ada.client.auth.refresh.mutate())).toBe('UNAUTHORIZED:SESSION_REVOKED');
  });

  it('removes an authenticator app enrolled before anyone proved the address, with the reset that first proves it', async () => {
    const { server, log } = await servers.startLogging<LogLine>();
    // Someone registers the address first and enrols their own app.
    const squatter = createTestClient(server.url);
    const session = await squatter.client.auth.register.mutate({ email: 'ada@example.com', password });
    squatter.setAccessToken(session.accessToken);
    await enrol({ ...squatter, session, email: 'ada@example.com' });
    // The owner resets the password from the mail: no second step is asked, and none is left.
    const owner = createTestClient(server.url);
    await owner.client.auth.password.requestReset.mutate({ email: 'ada@example.com' });
    const resetLink = () => /reset-password#token=([\w-]{43})/.exec(log.map((line) => line.text).join(' '))?.[1];
    await expect.poll(resetLink, { timeout: 15_000 }).toBeDefined();
    const reset = signedInOnly(
      await owner.client.auth.password.reset.mutate({ token: resetLink() ?? '', newPassword: 'the owner password' }),
    );
    expect(reset.user).toMatchObject({ emailVerified: true, twoFactorEnabled: false });
    owner.setAccessToken(reset.accessToken);
    expect(await owner.client.auth.twoFactor.status.query()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect(await refusal(squatter.client.auth.refresh.mutate())).toBe('UNAUTHORIZED:SESSION_REVOKED');
  });
});
