import { randomInt } from 'node:crypto';
import { type PasswordChange, passwordChangedMail } from '@tessera/mail';
import { AuthError } from '../errors';
import { hashEmailToken } from '../mailed-links/mailed-links';
import type { ClientInfo } from '../sessions/client-info';
import { credentialMoved } from '../sessions/sessions';
import { type AuthContext, refusedLink, type SecondStep, type SignedIn } from './context';

/** What a password reset did to the account's passkeys: the page after it shows them. */
export interface PasskeysAfterReset {
  removedPasskeys: number;
  keptPasskeys: number;
}

/** A password-reset request's work after the answer starts at a random time within this many ms. */
const RESET_WORK_SPREAD_MS = 1_000;

/** Changing the password (knowing the current one), and resetting it through a mailed link. */
export function passwordsCapability({
  config,
  store,
  background,
  throttle,
  passwordHasher,
  passwordChangeLane,
  laneGroup,
  record,
  startSession,
  endAllSessions,
  sessionFor,
  pendSignIn,
  linkMail,
  mailNotice,
  afterAnswering,
  now,
}: AuthContext) {
  /**
   * Tells the owner the password changed, with the way back if it was not them (issue 26). Only
   * a proved address is told: an unproved one may not be the account holder's.
   */
  async function noticePasswordChange(user: { email: string; emailVerified: boolean }, how: PasswordChange) {
    if (!user.emailVerified) return;
    const link = `${config.issuer}/forgot-password`;
    await mailNotice(passwordChangedMail({ to: user.email, how, at: now(), link }));
  }

  /**
   * Puts `passwordHash` in place only from the stamp the old credential was read with (a reset or
   * another change meanwhile wins) and while the caller's session is live (ending it while the
   * hash was made wins too), ends every session of the user, and starts a fresh one here.
   */
  async function replacePassword(
    caller: { userId: string; sessionId: string },
    passwordHash: string,
    expectedVersion: number,
    client: ClientInfo,
    how: PasswordChange,
  ): Promise<SignedIn> {
    const { userId, sessionId } = caller;
    const changed = await endAllSessions({
      userId,
      reason: 'password_changed',
      passwordHash,
      expectedVersion,
      fromSession: { sessionId, at: now() },
    });
    if (!changed) throw credentialMoved();
    const started = await startSession({ userId, credentialVersion: changed.credentialVersion }, client, 'password');
    await record({ userId, type: 'password_changed', sessionId: started.sessionId, client });
    await noticePasswordChange(started.user, how);
    return sessionFor(started.user, started);
  }

  return {
    /**
     * Replaces the password after checking the current one, ends every session of the user (a
     * thief's included) and starts a fresh one for the caller. Every attempt counts against the
     * address and the user, and as a sign-in attempt on the account (wiped on success). Throws
     * `AuthError('WRONG_CURRENT_PASSWORD')`, `AuthError('INVALID_CREDENTIALS')` (no such user, or a
     * reset or another change won the race), `RateLimitedError` or `BusyError`.
     */
    async changePassword(
      input: { userId: string; sessionId: string; currentPassword: string; newPassword: string },
      client: ClientInfo,
    ): Promise<SignedIn> {
      const user = await store.findUserById(input.userId);
      if (!user) throw new AuthError('INVALID_CREDENTIALS');
      await throttle.countAttempt(client.ip);
      await throttle.countPasswordChange(user.id);
      await throttle.countAccountAttempt(user.email);
      const stored = await store.findCredential(user.id);
      const storedHash = stored?.passwordHash ?? (await passwordHasher.dummyHash());
      const newHash = await passwordChangeLane.run(laneGroup(client), async () =>
        (await passwordHasher.verify(storedHash, input.currentPassword))
          ? passwordHasher.hash(input.newPassword)
          : null,
      );
      if (newHash === null || !stored) throw new AuthError('WRONG_CURRENT_PASSWORD');
      await throttle.clearFailures(user.email);
      return replacePassword(input, newHash, stored.credentialVersion, client, 'changed');
    },

    /**
     * The first password of an account without one (made by a provider): the caller proved it is
     * them just before (`freshProcedure`). Applied only from the stamp read with the empty hash
     * (a password set meanwhile, elsewhere, wins), it ends every session, as a change does, and
     * starts a fresh one here. Throws `PASSWORD_ALREADY_SET`, `INVALID_CREDENTIALS` (the
     * credentials moved meanwhile), `RateLimitedError`, `BusyError`.
     */
    async setPassword(
      input: { userId: string; sessionId: string; newPassword: string },
      client: ClientInfo,
    ): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      await throttle.countPasswordChange(input.userId);
      const stored = await store.findCredential(input.userId);
      if (!stored) throw credentialMoved();
      if (stored.passwordHash !== '') throw new AuthError('PASSWORD_ALREADY_SET');
      const newHash = await passwordChangeLane.run(laneGroup(client), () => passwordHasher.hash(input.newPassword));
      return replacePassword(input, newHash, stored.credentialVersion, client, 'set');
    },

    /** Whether the account has a password (one made by a provider may have none yet). */
    async hasPassword(userId: string): Promise<boolean> {
      return ((await store.findCredential(userId))?.passwordHash ?? '') !== '';
    },

    /**
     * Asks for a password-reset mail. Answers the same, as fast, whether or not the address has
     * an account: both throttles count before any lookup, and the lookup and the mail happen
     * after the answer (nothing is sent to an address without an account), at the same cost to
     * this process's event loop either way. Throws `RateLimitedError` only.
     */
    async requestPasswordReset(email: string, client: ClientInfo): Promise<void> {
      await throttle.countResetRequest(client.ip, email);
      // Nor may the work after the answer tell (issue 20, finding 8): every request makes and
      // seals a link, and the background looks the address up and, for an account, writes it
      // (on a SQLite file in the worker, off the event loop). What remains (the worker's writes
      // take a CPU, the SMTP work) happens at a random time within a second, not as the next
      // request comes in: the sender is not woken, and finds the mail on its next round.
      afterAnswering(async () => {
        const at = now();
        await background.issueEmailTokenFor({ ...linkMail(email, 'password_reset', at), email }, at);
      }, randomInt(RESET_WORK_SPREAD_MS));
    },

    /**
     * Sets a new password with a mailed reset token (single use), proves the address, ends every
     * session of the user and signs this client in. When the reset is the address's first proof,
     * every passkey goes too (`removedPasskeys` says how many): anyone could have added them.
     * `keptPasskeys`: how many the account still has, for the owner to check. An account with
     * two-step verification (kept unless this is the first proof) gets a pending sign-in instead
     * of a session, as `login` answers: the mailbox alone is one factor. Throws `AuthError('EMAIL_LINK_REFUSED')`
     * (details.reason: unknown, expired, used, superseded), `RateLimitedError`, `BusyError`.
     */
    async resetPassword(
      input: { token: string; newPassword: string },
      client: ClientInfo,
    ): Promise<(SignedIn | SecondStep) & PasskeysAfterReset> {
      await throttle.countAttempt(client.ip);
      const tokenHash = hashEmailToken(input.token);
      // Checked before hashing (a bad link costs no argon2id), used up after (a busy hasher does not burn it).
      const check = await store.checkEmailToken('password_reset', tokenHash, now());
      if (!check.ok) throw refusedLink('password_reset', check.reason);
      const newHash = await passwordChangeLane.run(laneGroup(client), () => passwordHasher.hash(input.newPassword));
      const used = await store.useEmailToken('password_reset', tokenHash, now());
      if (!used.ok) throw refusedLink('password_reset', used.reason);
      const found = await store.findUserById(used.userId);
      if (!found) throw refusedLink('password_reset', 'unknown');
      // A reset that is the address's first proof treats the account as new: whatever else was
      // added before anyone proved the address (an attacker's passkey or authenticator app) goes
      // with every session.
      const firstProof = !found.emailVerified;
      const changed = await endAllSessions({
        userId: found.id,
        reason: 'password_reset',
        passwordHash: newHash,
        removePasskeys: firstProof,
        removeSecondFactor: firstProof,
      });
      if (!changed) throw refusedLink('password_reset', 'unknown');
      await store.markEmailVerified(found.id, now());
      await throttle.clearFailures(found.email);
      const subject = { userId: found.id, credentialVersion: changed.credentialVersion };
      const removedPasskeys = changed.removedPasskeys;
      const keptPasskeys = (await store.listPasskeys(found.id)).length;
      // The reset itself proved the address.
      await noticePasswordChange({ email: found.email, emailVerified: true }, 'reset');
      // The mailbox alone is one factor: an account with two-step verification still asks for the second.
      if (changed.user.twoFactorEnabled) {
        await record({ userId: found.id, type: 'password_reset', sessionId: null, client });
        return { ...(await pendSignIn(subject, client)), removedPasskeys, keptPasskeys };
      }
      const started = await startSession(subject, client, 'password');
      await record({ userId: found.id, type: 'password_reset', sessionId: started.sessionId, client });
      const user = { ...started.user, emailVerified: true };
      return { ...(await sessionFor(user, started)), removedPasskeys, keptPasskeys };
    },
  };
}
