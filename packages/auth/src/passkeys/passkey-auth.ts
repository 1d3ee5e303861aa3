import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { type AuthenticationResponseInput, limits, type RegistrationResponseInput } from '@tessera/contract';
import type { NewAuthEvent } from '../accounts/events';
import type { Caller, CredentialSubject, SignedIn } from '../capabilities/context';
import { AuthError } from '../errors';
import type { ClientInfo } from '../sessions/client-info';
import type { AuthStore } from '../store/store';
import type { Throttle } from '../throttle/throttle';
import {
  type ChallengePurpose,
  counterRegressed,
  type PasskeySummary,
  type StoredChallenge,
  toPasskeySummary,
  toTransports,
} from './passkeys';
import {
  CHALLENGE_TTL_MS,
  challengeOf,
  hashChallenge,
  newChallenge,
  type RelyingParty,
  userHandleOf,
} from './relying-party';

/** Why a passkey ceremony was refused (`details.reason` of `PASSKEY_REFUSED`). */
export type PasskeyRefusal =
  /** No such challenge: never handed out, already answered, for the other ceremony or another session. */
  | 'challenge_unknown'
  | 'challenge_expired'
  /** The library refused the response: wrong origin or RP ID, bad signature, no user verification… */
  | 'not_verified'
  /** No passkey has this credential id (removed, or never registered here). */
  | 'unknown_credential'
  /** The response names a different account than the one the credential belongs to. */
  | 'user_mismatch'
  /** The signature counter did not grow: the key may have been cloned. */
  | 'counter_regressed'
  | 'already_registered'
  | 'too_many'
  /** The authenticator made a key it does not keep (a security key that is full, or U2F-only): it could never sign in here. */
  | 'not_discoverable';

/**
 * The options as sent: WebAuthn's JSON, with only the one extension we ask for (the library's
 * type for the others has binary PRF inputs, which do not survive JSON).
 */
export type PasskeyCreationOptions = Omit<PublicKeyCredentialCreationOptionsJSON, 'extensions'> & {
  /** Asks the browser to say whether the key is discoverable (`credProps.rk`). */
  extensions: { credProps: true };
};
export type PasskeyRequestOptions = Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'>;

interface PasskeyAuthDeps {
  store: AuthStore;
  /** Null when `PUBLIC_ORIGIN` names no domain: every operation then refuses with `PASSKEYS_UNAVAILABLE`. */
  relyingParty: RelyingParty | null;
  throttle: Throttle;
  record: (event: NewAuthEvent) => Promise<void>;
  /** Starts a session for a user whose passkey was verified, exactly as a password sign-in does. */
  signIn: (subject: CredentialSubject, client: ClientInfo) => Promise<SignedIn>;
  /** After a passkey is added: the owner is mailed (work after the answer). */
  onPasskeyAdded: (userId: string) => void;
  /** Refuse sign-in until the address is verified (`REQUIRE_VERIFIED_EMAIL`), as with a password. */
  requireVerifiedEmail: boolean;
  now: () => number;
}

const refused = (ceremony: ChallengePurpose, reason: PasskeyRefusal, facts: Record<string, string | null> = {}) =>
  new AuthError('PASSKEY_REFUSED', `Passkey ${ceremony} refused: ${reason}`, { ceremony, reason, ...facts });

/** The browser's `credProps.rk === false` (absent means it did not say: the key is given the benefit of the doubt). */
function reportedNotDiscoverable(extensionResults: object | undefined): boolean {
  if (!extensionResults || !('credProps' in extensionResults)) return false;
  const { credProps } = extensionResults;
  return typeof credProps === 'object' && credProps !== null && 'rk' in credProps && credProps.rk === false;
}

/** Why the library refused, for the server log only. */
const causeOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Passkeys (WebAuthn) inside the session model: registering one for the signed-in user, listing
 * and removing them, and signing in with one. Every challenge is random, stored hashed,
 * answerable once and for 5 minutes; user verification is required; the origin and RP ID are
 * the server's own. `@simplewebauthn/server` does the CBOR, attestation and signature checks.
 */
export function createPasskeyAuth({
  store,
  relyingParty,
  throttle,
  record,
  signIn,
  onPasskeyAdded,
  requireVerifiedEmail,
  now,
}: PasskeyAuthDeps) {
  const rp = (): RelyingParty => {
    if (!relyingParty) throw new AuthError('PASSKEYS_UNAVAILABLE');
    return relyingParty;
  };

  async function issueChallenge(
    purpose: ChallengePurpose,
    owner: Caller | null,
    client: ClientInfo,
  ): Promise<Uint8Array<ArrayBuffer>> {
    await throttle.countPasskeyChallenge(client.ip);
    const challenge = newChallenge();
    const at = now();
    await store.storeChallenge(
      {
        challengeHash: hashChallenge(challenge.text),
        purpose,
        userId: owner?.userId ?? null,
        sessionId: owner?.sessionId ?? null,
        expiresAt: at + CHALLENGE_TTL_MS,
      },
      at,
    );
    return challenge.bytes;
  }

  /**
   * Takes (uses up) the challenge a response answers, whatever comes next: a response that fails
   * verification cannot be tried again with the same challenge.
   */
  async function takeChallenge(
    purpose: ChallengePurpose,
    clientDataJSON: string,
    owner: Caller | null,
  ): Promise<string> {
    const challenge = challengeOf(clientDataJSON);
    const stored: StoredChallenge | null =
      challenge === null ? null : await store.takeChallenge(hashChallenge(challenge));
    if (challenge === null || stored === null || stored.purpose !== purpose)
      throw refused(purpose, 'challenge_unknown');
    if (owner && (stored.userId !== owner.userId || stored.sessionId !== owner.sessionId)) {
      throw refused(purpose, 'challenge_unknown');
    }
    if (stored.expiresAt <= now()) throw refused(purpose, 'challenge_expired');
    return challenge;
  }

  return {
    /**
     * Options for `navigator.credentials.create()`, bound to the caller's session. Throws
     * `EMAIL_NOT_VERIFIED` until the account's address is verified.
     */
    async registrationOptions(caller: Caller, client: ClientInfo): Promise<PasskeyCreationOptions> {
      const { id: rpID, name: rpName } = rp();
      const user = await store.findUserById(caller.userId);
      if (!user) throw new AuthError('SESSION_NOT_FOUND');
      // Until its owner proves the address, whoever registered it may be someone else: a passkey
      // they added would outlive the owner's reset (account pre-hijacking).
      if (!user.emailVerified) throw new AuthError('EMAIL_NOT_VERIFIED');
      const existing = await store.listPasskeys(caller.userId);
      if (existing.length >= limits.passkeysPerUser) throw refused('registration', 'too_many');
      const { extensions: _, ...options } = await generateRegistrationOptions({
        rpID,
        rpName,
        userID: userHandleOf(user.id),
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        challenge: await issueChallenge('registration', caller, client),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        // The authenticator refuses to make a second passkey for this account.
        excludeCredentials: existing.map(({ credentialId, transports }) => ({ id: credentialId, transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      });
      return { ...options, extensions: { credProps: true } };
    },

    /** Verifies a new credential against the caller's challenge and keeps its public key. */
    async register(
      caller: Caller,
      input: { response: RegistrationResponseInput; name?: string | undefined },
      client: ClientInfo,
    ): Promise<PasskeySummary> {
      const { id: rpID, origin } = rp();
      const expectedChallenge = await takeChallenge('registration', input.response.response.clientDataJSON, caller);
      let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
      try {
        const verified = await verifyRegistrationResponse({
          // Extension results are read by no check here; transports are stored, so only WebAuthn's.
          response: {
            ...input.response,
            clientExtensionResults: {},
            response: {
              ...input.response.response,
              transports: toTransports(input.response.response.transports ?? []),
            },
          },
          expectedChallenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
        });
        info = verified.registrationInfo;
      } catch (error) {
        throw refused('registration', 'not_verified', { cause: causeOf(error) });
      }
      if (!info) throw refused('registration', 'not_verified');
      // Sign-in names no account (no credential list), so only a key the authenticator keeps can
      // ever be offered: refuse one it says it does not keep, rather than list a dead passkey.
      if (reportedNotDiscoverable(input.response.clientExtensionResults)) {
        throw refused('registration', 'not_discoverable');
      }
      const passkey = {
        id: randomUUID(),
        userId: caller.userId,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: toTransports(info.credential.transports ?? []),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name: input.name ?? 'Passkey',
      };
      const at = now();
      const insertion = await store.insertPasskey(passkey, limits.passkeysPerUser, at, caller.sessionId);
      // Ended while the browser's prompt was open (a reset, "sign out everywhere"): no passkey outlives it.
      if (insertion === 'session_ended') throw new AuthError('SESSION_ENDED');
      if (insertion !== 'inserted') throw refused('registration', insertion);
      await record({ userId: caller.userId, type: 'passkey_added', sessionId: caller.sessionId, client });
      onPasskeyAdded(caller.userId);
      return toPasskeySummary({ ...passkey, createdAt: at, lastUsedAt: null });
    },

    /** The user's passkeys, oldest first: names, dates and kinds, never keys. */
    async list(userId: string): Promise<PasskeySummary[]> {
      return (await store.listPasskeys(userId)).map(toPasskeySummary);
    },

    /**
     * Removes one of the caller's passkeys: it signs in no more, from now on. Sessions it started
     * stay until they end or are revoked. Throws `PASSKEY_NOT_FOUND` or `LAST_SIGN_IN_METHOD`.
     */
    async remove(caller: Caller, id: string, client: ClientInfo): Promise<void> {
      const removed = await store.removePasskey({ id, userId: caller.userId });
      if (removed === 'not_found') throw new AuthError('PASSKEY_NOT_FOUND');
      if (removed === 'last_sign_in_method') throw new AuthError('LAST_SIGN_IN_METHOD');
      await record({ userId: caller.userId, type: 'passkey_removed', sessionId: caller.sessionId, client });
    },

    /**
     * Removes every one of the caller's passkeys that may go (`remove`'s rule: a passkey-only
     * account keeps its last): how many went.
     */
    async removeAll(caller: Caller, client: ClientInfo): Promise<number> {
      let removed = 0;
      for (const { id } of await store.listPasskeys(caller.userId)) {
        if ((await store.removePasskey({ id, userId: caller.userId })) !== 'removed') continue;
        removed += 1;
        await record({ userId: caller.userId, type: 'passkey_removed', sessionId: caller.sessionId, client });
      }
      return removed;
    },

    /**
     * Options for `navigator.credentials.get()`, for anyone: no credential list, so the browser
     * offers the discoverable passkeys it holds for this site and no account is named.
     */
    async authenticationOptions(client: ClientInfo): Promise<PasskeyRequestOptions> {
      const { id: rpID } = rp();
      const { extensions: _, ...options } = await generateAuthenticationOptions({
        rpID,
        challenge: await issueChallenge('authentication', null, client),
        timeout: CHALLENGE_TTL_MS,
        userVerification: 'required',
      });
      return options;
    },

    /**
     * Signs in with a passkey, exactly as `login` does with a password (a session, a refresh
     * token, `signed_in` in the activity, method `passkey`). Counted against the address like a
     * sign-in. Throws `PASSKEY_REFUSED`, `EMAIL_NOT_VERIFIED`, `RateLimitedError`.
     */
    async authenticate(input: { response: AuthenticationResponseInput }, client: ClientInfo): Promise<SignedIn> {
      return signIn(await verifyAssertion(input.response, client), client);
    },

    /**
     * Checks an assertion as `authenticate` does, without starting a session: whose passkey
     * answered, and the security stamp read before the proof was checked (`auth.reauthenticate`).
     */
    verifyAssertion,
  };

  async function verifyAssertion(
    response: AuthenticationResponseInput,
    client: ClientInfo,
  ): Promise<CredentialSubject> {
    const { id: rpID, origin } = rp();
    await throttle.countAttempt(client.ip);
    const expectedChallenge = await takeChallenge('authentication', response.response.clientDataJSON, null);
    const passkey = await store.findPasskeyByCredentialId(response.id);
    if (!passkey) throw refused('authentication', 'unknown_credential');
    // Read before the proof is checked: a credential change meanwhile refuses the session.
    const credentialVersion = (await store.findCredential(passkey.userId))?.credentialVersion;
    const facts = { passkeyId: passkey.id, userId: passkey.userId };
    const handle = response.response.userHandle;
    if (handle !== undefined && handle !== Buffer.from(userHandleOf(passkey.userId)).toString('base64url')) {
      throw refused('authentication', 'user_mismatch', facts);
    }
    let newCounter: number;
    try {
      const verified = await verifyAuthenticationResponse({
        response: { ...response, clientExtensionResults: {} },
        expectedChallenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        // The counter is judged below, against the stored one, so a regression has its own reason.
        credential: {
          id: passkey.credentialId,
          publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
          counter: 0,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (!verified.verified) throw new Error('not verified');
      newCounter = verified.authenticationInfo.newCounter;
    } catch (error) {
      throw refused('authentication', 'not_verified', { ...facts, cause: causeOf(error) });
    }
    const counterFacts = { ...facts, storedCounter: String(passkey.counter), presentedCounter: String(newCounter) };
    if (counterRegressed(passkey.counter, newCounter))
      throw refused('authentication', 'counter_regressed', counterFacts);
    const used = await store.recordPasskeyUse({ id: passkey.id, counter: newCounter }, now());
    // Removed meanwhile, or another sign-in showed this counter (or a higher one) first.
    if (!used) {
      const gone = !(await store.findPasskeyByCredentialId(response.id));
      throw refused('authentication', gone ? 'unknown_credential' : 'counter_regressed', counterFacts);
    }
    const user = await store.findUserById(passkey.userId);
    if (!user || credentialVersion === undefined) throw refused('authentication', 'unknown_credential', facts);
    if (requireVerifiedEmail && !user.emailVerified) throw new AuthError('EMAIL_NOT_VERIFIED');
    return { userId: user.id, credentialVersion };
  }
}
