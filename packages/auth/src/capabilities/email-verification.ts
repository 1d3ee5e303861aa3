import { hashEmailToken } from '../mailed-links/mailed-links';
import type { ClientInfo } from '../sessions/client-info';
import { type AuthContext, type Caller, refusedLink } from './context';

/** Proving the address: mailing a verification link, and using it. */
export function emailVerificationCapability({ store, throttle, userById, mailLink, now }: AuthContext) {
  return {
    /** Proves the address with a mailed verification token (single use). Throws `EMAIL_LINK_REFUSED`. */
    async verifyEmail(token: string, client: ClientInfo): Promise<void> {
      await throttle.countAttempt(client.ip);
      const used = await store.useEmailToken('email_verification', hashEmailToken(token), now());
      if (!used.ok) throw refusedLink('email_verification', used.reason);
      await store.markEmailVerified(used.userId, now());
      userById.forget(used.userId);
    },

    /** Mails the caller a fresh verification link (nothing if already verified). Throws `RateLimitedError`. */
    async requestEmailVerification(caller: Caller): Promise<void> {
      const user = await store.findUserById(caller.userId);
      if (!user || user.emailVerified) return;
      await throttle.countVerificationMail(user.id);
      await mailLink(user, 'email_verification');
    },
  };
}
