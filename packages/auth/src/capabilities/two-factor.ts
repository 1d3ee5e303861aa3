import type { AuthenticationResponseInput } from '@tessera/contract';
import { recoveryCodeUsedMail } from '@tessera/mail';
import { type SecondStepKind, withSecondStep } from '../accounts/events';
import { AuthError } from '../errors';
import { DEFAULT_RP_NAME } from '../passkeys/relying-party';
import { type ClientInfo, clientFingerprint } from '../sessions/client-info';
import { hashRecoveryCode, newRecoveryCodes } from '../two-factor/recovery-codes';
import { matchTotp, newTotpSecret, totpUri } from '../two-factor/totp';
import { hashPendingSignIn, PENDING_SIGN_IN_ATTEMPTS, totpSecretContext } from '../two-factor/two-factor';
import type { AuthContext, Caller, CredentialSubject, SignedIn } from './context';

/** A second step: a code from the authenticator app, a recovery code, or a passkey's signed answer. */
export type SecondFactorProof = { code: string } | { recoveryCode: string } | { passkey: AuthenticationResponseInput };

/** Checks a passkey's answer without starting a session: `passkeys.verifyAssertion` (passkey-auth.ts). */
export type VerifyPasskeyAssertion = (
  response: AuthenticationResponseInput,
  client: ClientInfo,
) => Promise<CredentialSubject>;

const invalidCode = (why: string) => new AuthError('INVALID_CODE', `Second step refused: ${why}`);
const pendingSignInExpired = () => new AuthError('PENDING_SIGN_IN_EXPIRED');

/**
 * Checking a user's second step, wherever it is asked (the second step of a sign-in, a
 * re-authentication): each answer counted against the account before it is checked, and each
 * usable once (a TOTP code's step, a recovery code, a passkey's challenge). Throws
 * `INVALID_CODE` (or the passkey's `PASSKEY_REFUSED`), `RateLimitedError`.
 */
export function secondFactorCheck(
  { store, box, throttle, record, mailNotice, afterAnswering, config, now }: AuthContext,
  verifyPasskeyAssertion: VerifyPasskeyAssertion,
) {
  return async function checkSecondFactor(
    userId: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<SecondStepKind> {
    if ('passkey' in proof) {
      const subject = await verifyPasskeyAssertion(proof.passkey, client);
      if (subject.userId !== userId) throw invalidCode("another account's passkey");
      return 'passkey';
    }
    await throttle.countSecondFactorAttempt(userId);
    if ('code' in proof) {
      const state = await store.findTotp(userId);
      if (!state?.enabledAt || !state.secretSealed) throw invalidCode('two-step verification is off');
      const secret = box.open(state.secretSealed, totpSecretContext(userId));
      const step = matchTotp(secret, proof.code, now());
      if (step === null) throw invalidCode('wrong code');
      // A later step than the last one used, in one statement: a code works once, on any instance.
      if (!(await store.useTotpStep({ userId, secretSealed: state.secretSealed, step })))
        throw invalidCode('code used');
      await throttle.clearSecondFactorAttempts(userId);
      return 'totp';
    }
    const at = now();
    if (!(await store.useRecoveryCode(userId, hashRecoveryCode(proof.recoveryCode), at))) {
      throw invalidCode('unknown or used recovery code');
    }
    await throttle.clearSecondFactorAttempts(userId);
    await record({ userId, type: 'recovery_code_used', sessionId: null, client });
    // The owner hears of it whoever used it: a code in the wrong hands is a way past this step.
    afterAnswering(async () => {
      const [user, left] = await Promise.all([store.findUserById(userId), store.countRecoveryCodes(userId)]);
      if (user) await mailNotice(recoveryCodeUsedMail({ to: user.email, at, left, link: `${config.issuer}/account` }));
    });
    return 'recovery_code';
  };
}

/**
 * Two-step verification: setting up TOTP (a secret, confirmed by a code), recovery codes, turning
 * it off, and the second step of a sign-in. The password step (sign-in.ts, a reset) answers a
 * user who has it with a pending sign-in (`pendSignIn`), which `verify` completes.
 */
export function twoFactorCapability(context: AuthContext, checkSecondFactor: ReturnType<typeof secondFactorCheck>) {
  const { config, store, box, throttle, userById, record, signIn, now } = context;

  /** Recovery codes for the owner (shown once) and their hashes for the store. */
  const recoveryCodeSet = () => {
    const codes = newRecoveryCodes();
    return { codes, hashes: codes.map(hashRecoveryCode) };
  };

  return {
    /** Whether two-step verification is on, and how many recovery codes are left unused. */
    async status(userId: string): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
      const state = await store.findTotp(userId);
      const enabled = state?.enabledAt != null;
      return { enabled, recoveryCodesLeft: enabled ? await store.countRecoveryCodes(userId) : 0 };
    },

    /**
     * A new TOTP secret to confirm (in place of one set up and not confirmed): base32 for typing,
     * and the `otpauth://` URI for the QR code. Nothing changes for sign-in until `confirm`.
     * Throws `TWO_FACTOR_ENABLED` while it is on.
     */
    async setup(caller: Caller): Promise<{ secret: string; uri: string }> {
      const user = await userById.fresh(caller.userId);
      if (!user) throw new AuthError('SESSION_ENDED');
      const secret = newTotpSecret();
      const sealed = box.seal(secret, totpSecretContext(caller.userId));
      if (!(await store.setUnconfirmedTotpSecret(caller.userId, sealed))) throw new AuthError('TWO_FACTOR_ENABLED');
      return { secret, uri: totpUri({ secret, issuer: config.rpName ?? DEFAULT_RP_NAME, account: user.email }) };
    },

    /**
     * Turns two-step verification on once the code proves the authenticator app holds the secret
     * of the last `setup`; answers the ten recovery codes, shown this once. Throws `INVALID_CODE`,
     * `TWO_FACTOR_ENABLED`, `TWO_FACTOR_NOT_ENABLED` (nothing set up), `RateLimitedError`.
     */
    async confirm(caller: Caller, code: string, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
      await throttle.countSecondFactorAttempt(caller.userId);
      const state = await store.findTotp(caller.userId);
      if (state?.enabledAt != null) throw new AuthError('TWO_FACTOR_ENABLED');
      if (!state?.secretSealed) throw new AuthError('TWO_FACTOR_NOT_ENABLED', 'Nothing set up to confirm');
      const step = matchTotp(box.open(state.secretSealed, totpSecretContext(caller.userId)), code, now());
      if (step === null) throw invalidCode('wrong code');
      const { codes, hashes } = recoveryCodeSet();
      const use = { userId: caller.userId, secretSealed: state.secretSealed, step };
      // Refused when a newer setup replaced this secret, or another confirmation won.
      if (!(await store.confirmTotp(use, hashes, now()))) throw invalidCode('the setup changed meanwhile');
      await throttle.clearSecondFactorAttempts(caller.userId);
      userById.forget(caller.userId);
      await record({ userId: caller.userId, type: 'two_factor_enabled', sessionId: caller.sessionId, client });
      return { recoveryCodes: codes };
    },

    /** Turns two-step verification off: the secret and the recovery codes are deleted. Throws `TWO_FACTOR_NOT_ENABLED`. */
    async disable(caller: Caller, client: ClientInfo): Promise<void> {
      if (!(await store.disableTwoFactor(caller.userId))) throw new AuthError('TWO_FACTOR_NOT_ENABLED');
      userById.forget(caller.userId);
      await record({ userId: caller.userId, type: 'two_factor_disabled', sessionId: caller.sessionId, client });
    },

    /** Ten new recovery codes in place of every old one, shown this once. Throws `TWO_FACTOR_NOT_ENABLED`. */
    async regenerateRecoveryCodes(caller: Caller, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
      const { codes, hashes } = recoveryCodeSet();
      if (!(await store.replaceRecoveryCodes(caller.userId, hashes, now()))) {
        throw new AuthError('TWO_FACTOR_NOT_ENABLED');
      }
      await record({ userId: caller.userId, type: 'recovery_codes_regenerated', sessionId: caller.sessionId, client });
      return { recoveryCodes: codes };
    },

    /**
     * The second step of a sign-in: completes the pending sign-in with a TOTP code, a recovery
     * code or a passkey, and signs in as `login` does (the security stamp read with the password
     * must not have moved). Each answer is counted on the pending sign-in before it is checked
     * (five spend it), on the account, and on the address. Throws `PENDING_SIGN_IN_EXPIRED`
     * (unknown, expired, used, spent, or another client's), `INVALID_CODE`, `INVALID_CREDENTIALS`
     * (the credentials changed meanwhile), `RateLimitedError`.
     */
    async verify(input: { pendingSignIn: string } & SecondFactorProof, client: ClientInfo): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      const handleHash = hashPendingSignIn(input.pendingSignIn);
      const attempt = { handleHash, clientHash: clientFingerprint(client), now: now() };
      const pending = await store.countPendingSignInAttempt(attempt, PENDING_SIGN_IN_ATTEMPTS);
      if (!pending) throw pendingSignInExpired();
      const second = await checkSecondFactor(pending.userId, input, client);
      // Of two right answers at once, one completes it.
      const taken = await store.takePendingSignIn(handleHash, now());
      if (!taken) throw pendingSignInExpired();
      const method = withSecondStep(taken.firstFactor, second);
      return signIn({ userId: taken.userId, credentialVersion: taken.credentialVersion }, client, method);
    },
  };
}
