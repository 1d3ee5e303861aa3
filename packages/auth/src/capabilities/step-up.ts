import type { AuthenticationResponseInput } from '@tessera/contract';
import { type SignInMethod, withSecondStep } from '../accounts/events';
import { AuthError } from '../errors';
import type { ClientInfo } from '../sessions/client-info';
import { credentialMoved } from '../sessions/sessions';
import type { AuthContext, Caller, CredentialSubject, Session } from './context';
import type { SecondFactorProof, secondFactorCheck, VerifyPasskeyAssertion } from './two-factor';

/**
 * What `auth.reauthenticate` accepts: the password (with a TOTP or recovery code when the account
 * has two-step verification), or a passkey's answer to `passkeys.authenticationOptions`.
 */
export type ReauthenticationProof =
  | { password: string; code?: string; recoveryCode?: string }
  | { passkey: AuthenticationResponseInput };

/** Step-up: proving a primary credential again inside a session, and how long such a proof counts. */
export function stepUpCapability(
  { config, store, throttle, passwordHasher, signInLane, laneGroup, userById, record, accessFor, now }: AuthContext,
  verifyPasskeyAssertion: VerifyPasskeyAssertion,
  checkSecondFactor: ReturnType<typeof secondFactorCheck>,
) {
  /** The caller's password checked as a sign-in checks it (throttled, in the hashing lane), and the stamp read before. */
  async function checkPassword(
    caller: Caller,
    password: string,
    client: ClientInfo,
  ): Promise<CredentialSubject & { twoFactorEnabled: boolean }> {
    await throttle.countAttempt(client.ip);
    const user = await userById.fresh(caller.userId);
    if (!user) throw new AuthError('INVALID_CREDENTIALS');
    await throttle.countAccountAttempt(user.email);
    const stored = await store.findCredential(caller.userId);
    const storedHash = stored?.passwordHash || (await passwordHasher.dummyHash());
    const valid = await signInLane.run(laneGroup(client), () => passwordHasher.verify(storedHash, password));
    if (!stored?.passwordHash || !valid) throw new AuthError('INVALID_CREDENTIALS');
    await throttle.clearFailures(user.email);
    return {
      userId: caller.userId,
      credentialVersion: stored.credentialVersion,
      twoFactorEnabled: user.twoFactorEnabled,
    };
  }

  /** The password, and the second step too when the account has two-step verification: how it was proved. */
  async function checkPasswordProof(
    caller: Caller,
    proof: { password: string; code?: string; recoveryCode?: string },
    client: ClientInfo,
  ): Promise<[CredentialSubject, SignInMethod]> {
    const subject = await checkPassword(caller, proof.password, client);
    if (!subject.twoFactorEnabled) return [subject, 'password'];
    const second: SecondFactorProof | null =
      proof.code !== undefined
        ? { code: proof.code }
        : proof.recoveryCode !== undefined
          ? { recoveryCode: proof.recoveryCode }
          : null;
    if (second === null) throw new AuthError('INVALID_CODE', 'Re-authentication without the second step');
    return [subject, withSecondStep('password', await checkSecondFactor(caller.userId, second, client))];
  }

  return {
    /**
     * The owner proves a primary credential again inside their session (the password, with the
     * second step when the account has two-step verification, or a passkey of theirs answering
     * `passkeys.authenticationOptions`, both factors at once), for the changes
     * `freshProcedure` guards: a new access token for the same session, its `auth_time` now.
     * Counted like a sign-in. Throws `INVALID_CREDENTIALS` (a wrong password, another account's
     * passkey, a credential changed meanwhile), `INVALID_CODE` (a second step wrong or missing),
     * `PASSKEY_REFUSED`, `RateLimitedError`, `BusyError`.
     */
    async reauthenticate(caller: Caller, proof: ReauthenticationProof, client: ClientInfo): Promise<Session> {
      const [subject, method]: [CredentialSubject, SignInMethod] =
        'password' in proof
          ? await checkPasswordProof(caller, proof, client)
          : [await verifyPasskeyAssertion(proof.passkey, client), 'passkey'];
      if (subject.userId !== caller.userId) throw new AuthError('INVALID_CREDENTIALS');
      const at = now();
      const reproof = {
        sessionId: caller.sessionId,
        userId: caller.userId,
        credentialVersion: subject.credentialVersion,
      };
      if (!(await store.recordProof({ ...reproof, method }, at))) throw credentialMoved();
      const user = await userById.fresh(caller.userId);
      if (!user) throw credentialMoved();
      await record({ userId: user.id, type: 'reauthenticated', sessionId: caller.sessionId, client, method });
      // The session's key, which this request proved it holds (the caller's token is bound to it).
      return accessFor(user, caller.sessionId, { authTime: at, method }, client.dpopJkt ?? null);
    },

    /** Whether a proof made at `authTime` (epoch ms, the token's `auth_time`) is recent enough for a sensitive change. */
    proofIsFresh(authTime: number): boolean {
      return now() - authTime <= config.reauthMaxAge * 1000;
    },
  };
}
