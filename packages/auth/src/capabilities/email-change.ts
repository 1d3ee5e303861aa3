import { randomInt } from 'node:crypto';
import { isUniqueViolation } from '@tessera/db';
import { emailChangedMail } from '@tessera/mail';
import type { EmailChangeOutcome } from '../account-life/account-life';
import { EMAIL_CHANGE_UNDO_TTL } from '../config';
import { AuthError } from '../errors';
import { hashEmailToken, mailedToken } from '../mailed-links/mailed-links';
import type { ClientInfo } from '../sessions/client-info';
import { type AuthContext, type Caller, refusedLink } from './context';

/** A change request's work after the answer starts at a random time within this many ms. */
const REQUEST_WORK_SPREAD_MS = 1_000;

/** What the page after a confirmed (or undone) change shows. */
export interface EmailChanged {
  email: string;
  /** How many other sessions ended (every one, for an undo). */
  endedSessions: number;
}

/**
 * Changing the account's address: a link to the new address confirms it, a notice to the old
 * one carries a way back (account-life/operations.ts has the rules).
 */
export function emailChangeCapability({
  config,
  box,
  store,
  throttle,
  userById,
  record,
  forget,
  linkMail,
  wakeMailSender,
  afterAnswering,
  now,
}: AuthContext) {
  /** Ends the sessions the rule ended here at once (elsewhere within a poll), and forgets the cached user. */
  function applied(outcome: EmailChangeOutcome & { ok: true }, at: number) {
    forget(outcome.ended.sessionIds, at, outcome.ended.reason);
    userById.forget(outcome.userId);
    wakeMailSender();
  }

  return {
    /**
     * Mails a link to `newEmail` that makes it the caller's address. Answers the same, as fast,
     * whether or not another account has the address: the lookup and the mail happen after the
     * answer, and nothing is sent when it is taken. Throws `EMAIL_UNCHANGED` (it is the caller's
     * address already), `RateLimitedError`.
     */
    async requestEmailChange(caller: Caller, newEmail: string, client: ClientInfo): Promise<void> {
      await throttle.countAttempt(client.ip);
      await throttle.countVerificationMail(caller.userId);
      const user = await store.findUserById(caller.userId);
      if (!user) throw new AuthError('SESSION_ENDED');
      if (user.email === newEmail) throw new AuthError('EMAIL_UNCHANGED');
      await record({ userId: caller.userId, type: 'email_change_requested', sessionId: caller.sessionId, client });
      afterAnswering(async () => {
        const at = now();
        if (await store.addressTaken(newEmail, caller.userId, at)) return;
        await store.issueEmailToken(
          { ...linkMail(newEmail, 'email_change', at), address: newEmail, userId: caller.userId },
          at,
        );
        wakeMailSender();
      }, randomInt(REQUEST_WORK_SPREAD_MS));
    },

    /**
     * Makes the link's new address the account's (single use): proved, every other link
     * superseded, every session ended but `openedIn` (the session that opened the link, when it
     * is the account's), and the old address, if proved, mailed a way back. Throws
     * `EMAIL_LINK_REFUSED` (details.reason: unknown, expired, used, superseded, taken).
     */
    async confirmEmailChange(token: string, openedIn: Caller | null, client: ClientInfo): Promise<EmailChanged> {
      await throttle.countAttempt(client.ip);
      const at = now();
      const outcome = await store
        .confirmEmailChange(
          {
            tokenHash: hashEmailToken(token),
            openedIn,
            undoNotice: (oldEmail, newEmail) =>
              mailedToken({
                box,
                origin: config.issuer,
                purpose: 'email_change_undo',
                expiresAt: at + EMAIL_CHANGE_UNDO_TTL * 1000,
                compose: (link) =>
                  emailChangedMail({ to: oldEmail, newEmail, at, link, validDays: EMAIL_CHANGE_UNDO_TTL / 86_400 }),
              }),
          },
          at,
        )
        // A sign-up with the address committed while this waited on it: the address is taken.
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) return { ok: false as const, reason: 'taken' as const };
          throw error;
        });
      if (!outcome.ok) throw refusedLink('email_change', outcome.reason);
      applied(outcome, at);
      const keptSession = openedIn?.userId === outcome.userId ? openedIn.sessionId : null;
      await record({ userId: outcome.userId, type: 'email_changed', sessionId: keptSession, client });
      return { email: outcome.email, endedSessions: outcome.ended.sessionIds.length };
    },

    /**
     * Puts the old address back through its undo link (single use, 7 days), ends every session
     * and removes the passkeys, two-step verification and connected accounts whoever changed it
     * could have added. Throws `EMAIL_LINK_REFUSED` (details.reason as for a confirmation).
     */
    async undoEmailChange(token: string, client: ClientInfo): Promise<EmailChanged> {
      await throttle.countAttempt(client.ip);
      const at = now();
      const outcome = await store.undoEmailChange(hashEmailToken(token), at);
      if (!outcome.ok) throw refusedLink('email_change_undo', outcome.reason);
      applied(outcome, at);
      await record({ userId: outcome.userId, type: 'email_change_undone', sessionId: null, client });
      return { email: outcome.email, endedSessions: outcome.ended.sessionIds.length };
    },
  };
}
