import { accessCapability } from './capabilities/access';
import { accountCapability } from './capabilities/account';
import { accountDeletionCapability } from './capabilities/account-deletion';
import { adminCapability } from './capabilities/admin';
import { openAuthContext } from './capabilities/context';
import { dpopCapability } from './capabilities/dpop';
import { emailChangeCapability } from './capabilities/email-change';
import { emailVerificationCapability } from './capabilities/email-verification';
import type { CreateAuthOptions } from './capabilities/options';
import { passwordsCapability } from './capabilities/passwords';
import { refreshCapability } from './capabilities/refresh';
import { sessionsCapability } from './capabilities/sessions';
import { signInCapability } from './capabilities/sign-in';
import { socialCapability } from './capabilities/social';
import { stepUpCapability } from './capabilities/step-up';
import { secondFactorCheck, twoFactorCapability } from './capabilities/two-factor';
import { upkeepCapability } from './capabilities/upkeep';
import { createPasskeyAuth } from './passkeys/passkey-auth';
import { DEFAULT_RP_NAME, relyingPartyFor } from './passkeys/relying-party';

export type Auth = Awaited<ReturnType<typeof createAuth>>;

/**
 * The server-side auth core: every operation the API exposes, over an open database. No HTTP here;
 * inputs are already validated and emails already normalised. It opens what the capabilities share
 * (capabilities/context.ts: keys, caches, throttles, the list of ended sessions) and puts together
 * one module per capability (capabilities/, and passkeys/passkey-auth.ts).
 *
 * @example
 * const auth = await createAuth({ store, background, box, config: { issuer, audience, ...defaultAuthConfig } });
 * const { session, refreshToken } = await auth.login({ email, password }, { userAgent, ip });
 */
export async function createAuth(options: CreateAuthOptions) {
  const context = await openAuthContext(options);
  const { config, store, throttle, record, signIn, afterAnswering, mailPasskeyNotice, now } = context;
  // Passkeys are bound to the domain of PUBLIC_ORIGIN; without one (an IP address) they are off.
  const relyingParty = relyingPartyFor(config.issuer, config.rpName ?? DEFAULT_RP_NAME);
  const passkeys = createPasskeyAuth({
    store,
    relyingParty: relyingParty.ok ? relyingParty.rp : null,
    throttle,
    record,
    signIn: (subject, client) => signIn(subject, client, 'passkey'),
    onPasskeyAdded: (userId) => afterAnswering(() => mailPasskeyNotice(userId)),
    requireVerifiedEmail: config.requireVerifiedEmail,
    now,
  });

  const checkSecondFactor = secondFactorCheck(context, passkeys.verifyAssertion);

  return {
    ...signInCapability(context),
    ...refreshCapability(context),
    ...sessionsCapability(context),
    ...passwordsCapability(context),
    ...emailVerificationCapability(context),
    ...emailChangeCapability(context),
    ...stepUpCapability(context, passkeys.verifyAssertion, checkSecondFactor),

    /** Two-step verification: TOTP, recovery codes, and the second step of a sign-in (capabilities/two-factor.ts). */
    twoFactor: twoFactorCapability(context, checkSecondFactor),

    /** Passkeys: registering, listing and removing them, and signing in with one (passkey-auth.ts). */
    passkeys,

    /** Why passkeys are off (PUBLIC_ORIGIN is an IP address), for the start-up log; null when they are on. */
    passkeysUnavailable: relyingParty.ok ? null : relyingParty.reason,

    ...socialCapability(context, options.identityProviders ?? []),

    ...accessCapability(context),
    ...dpopCapability(context),
    ...accountCapability(context),
    ...accountDeletionCapability(context),
    ...adminCapability(context),
    ...upkeepCapability(context),
  };
}
