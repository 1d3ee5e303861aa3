import { AuthError } from '../errors';
import type { ClientInfo } from '../sessions/client-info';
import type { AuthContext, SecondStep, SignedIn } from './context';

/** The security stamp of an account just created (the column's default). */
const NEW_ACCOUNT_CREDENTIAL_VERSION = 0;

/** Signing up and signing in with a password (a passkey's sign-in is in passkeys/passkey-auth.ts). */
export function signInCapability({
  config,
  store,
  throttle,
  passwordHasher,
  signInLane,
  laneGroup,
  mailLink,
  signIn,
  pendSignIn,
  now,
}: AuthContext) {
  return {
    /** Creates an account and signs it in. Throws `AuthError('EMAIL_TAKEN')`, `RateLimitedError`, `BusyError`. */
    async register(
      input: { email: string; password: string; name: string | null },
      client: ClientInfo,
    ): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      const passwordHash = await signInLane.run(laneGroup(client), () => passwordHasher.hash(input.password));
      const user = await store.insertUser({ email: input.email, name: input.name, passwordHash }, now());
      await mailLink(user, 'email_verification');
      if (config.requireVerifiedEmail) throw new AuthError('EMAIL_NOT_VERIFIED');
      return signIn({ userId: user.id, credentialVersion: NEW_ACCOUNT_CREDENTIAL_VERSION }, client);
    },

    /**
     * Throws `AuthError('INVALID_CREDENTIALS')` alike for an unknown email and a wrong password,
     * `RateLimitedError` past the address's attempts or the account's failures, and `BusyError`.
     * The attempt is counted against the account before the password is checked, so concurrent
     * guesses cannot outrun the limit; a success wipes the count. An account with two-step
     * verification gets no session yet: a pending sign-in for `twoFactor.verify` (`SecondStep`).
     */
    async login(input: { email: string; password: string }, client: ClientInfo): Promise<SignedIn | SecondStep> {
      await throttle.countAttempt(client.ip);
      await throttle.countAccountAttempt(input.email);
      const found = await store.findUserByEmail(input.email);
      const storedHash = found?.passwordHash ?? (await passwordHasher.dummyHash());
      const valid = await signInLane.run(laneGroup(client), () => passwordHasher.verify(storedHash, input.password));
      if (!found || !valid) throw new AuthError('INVALID_CREDENTIALS');
      await throttle.clearFailures(input.email);
      // Only someone who knows the password learns that the address is not verified yet.
      if (config.requireVerifiedEmail && !found.emailVerified) throw new AuthError('EMAIL_NOT_VERIFIED');
      const subject = { userId: found.id, credentialVersion: found.credentialVersion };
      return found.twoFactorEnabled ? pendSignIn(subject, client) : signIn(subject, client);
    },
  };
}
