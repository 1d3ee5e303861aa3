import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { AuthenticationResponseInput, Role, Session } from '@tessera/contract';
import type { DatabaseHealth } from '@tessera/db';
import {
  type MailSender,
  type MailSenderLog,
  type MailTransport,
  passkeyAddedMail,
  passwordResetMail,
  startMailSender,
  verificationMail,
} from '@tessera/mail';
import type { JWK } from 'jose';
import type { UserOverview, UsersCursor } from './accounts/admin';
import type { AuthEvent, NewAuthEvent, SignInMethod } from './accounts/events';
import { cachedUserById } from './accounts/user-cache';
import type { User } from './accounts/users';
import { type AuthConfig, EMAIL_VERIFICATION_TTL } from './config';
import { AuthError } from './errors';
import type { EmailTokenPurpose } from './mailed-links/email-tokens';
import { hashEmailToken, mailedToken, openQueuedMail, sealedMail } from './mailed-links/mailed-links';
import { createPasskeyAuth } from './passkeys/passkey-auth';
import { DEFAULT_RP_NAME, relyingPartyFor } from './passkeys/relying-party';
import { argon2idHasher, type PasswordHasher } from './passwords/password';
import type { PruneResult } from './revocation/housekeeping';
import { createPollingRevocationFeed, type RevocationFeed, type RevocationSink } from './revocation/revocation-feed';
import { RevocationList } from './revocation/revocation-list';
import { type ClientInfo, clientFingerprint } from './sessions/client-info';
import {
  type CredentialChange,
  type CredentialChanged,
  credentialMoved,
  type IssuedRefreshToken,
  type SessionProof,
  type SessionStatus,
  type SessionSummary,
} from './sessions/sessions';
import type { BackgroundDb } from './store/background';
import type { AuthStore } from './store/store';
import { addressGroup } from './throttle/address-group';
import { createThrottle, noThrottle, type ThrottleLimits } from './throttle/throttle';
import { createWorkLane, type LaneLimits } from './throttle/work-lane';
import {
  type AccessTokenOptions,
  CLOCK_TOLERANCE_S,
  issueAccessToken,
  type VerifiedAccessToken,
  verifyAccessToken,
} from './tokens/access-token';
import type { SecretBox } from './tokens/secret-box';
import { SigningKeyRing } from './tokens/signing-keys';
import { VerifiedTokenCache } from './tokens/verified-token-cache';

/** What a client receives on sign-in and refresh: the contract's Session. */
export type { Session };

/** A session plus the refresh token for the cookie, which never goes into a response body. */
export interface SignedIn {
  session: Session;
  refreshToken: string;
  /** Epoch ms: when the refresh cookie should expire. */
  refreshTokenExpiresAt: number;
}

/** Who just proved a credential, and the security stamp read with it. */
export interface CredentialSubject {
  userId: string;
  credentialVersion: number;
}

/** What a password reset did to the account's passkeys: the page after it shows them. */
export interface PasskeysAfterReset {
  removedPasskeys: number;
  keptPasskeys: number;
}

/** What `auth.reauthenticate` accepts: the password, or a passkey's answer to `passkeys.authenticationOptions`. */
export type ReauthenticationProof = { password: string } | { passkey: AuthenticationResponseInput };

/** The security stamp of an account just created (the column's default). */
const NEW_ACCOUNT_CREDENTIAL_VERSION = 0;

/** The signed-in caller of a protected operation, as its verified access token says. */
export interface Caller {
  userId: string;
  sessionId: string;
}

/**
 * An access-token check: the token's subject, or why it is refused. `revoked` means the token is
 * genuine and unexpired but its session has ended (signed out, revoked, password changed, reuse).
 */
export type AccessCheck =
  | { ok: true; token: VerifiedAccessToken }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' };

/** How current this process's list of ended sessions is; `/healthz` reports it. */
export interface RevocationHealth {
  /** True when the feed has not caught up with the database for more than five seconds. */
  stale: boolean;
  /** Milliseconds since it last did. */
  lagMs: number;
  /** The feed's last read error, if its last read failed. */
  lastError: string | null;
  /** Sessions held in memory: those ended within the last access-token lifetime. */
  size: number;
}

export interface CreateAuthOptions {
  /** Where everything is kept: `createSqliteStore(db)`, or another engine's store. */
  store: AuthStore;
  config: AuthConfig;
  /**
   * Seals the secrets kept at rest (private signing keys, refresh successors in their grace
   * window) under a key that is not in the database; see `createSecretBox`.
   */
  box: SecretBox;
  /** Brute-force limits; the contract's by default. `'off'` only for load tests (`RATE_LIMIT=off`). */
  throttleLimits?: ThrottleLimits | 'off';
  /** argon2id by default; tests pass a cheap one (`@tessera/api/testing`). Never weaker in production. */
  passwordHasher?: PasswordHasher;
  /** How much password hashing each kind of request may have running and queued; see `defaultPasswordLanes`. */
  passwordLanes?: PasswordLanes;
  /**
   * Where the timed database work runs: reading other processes' revocations, clearing expired
   * refresh successors, the health probe, the mail outbox, and password-reset links (their cost
   * must not show in the requests that follow). On SQLite, `createInThreadBackground(db)` for one
   * process or an in-memory database, `createSqliteWorker(file)` for a server on a file.
   */
  background: BackgroundDb;
  /** Milliseconds between reads of other processes' revocations (`REVOCATION_POLL_MS`). */
  revocationPollMs?: number;
  /**
   * How this process learns of sessions other processes end; defaults to polling `background`
   * every `revocationPollMs`. Another engine can push instead (Postgres: LISTEN/NOTIFY).
   */
  revocationFeed?: RevocationFeed;
  /** Work done after answering failed (a password-reset lookup): the server logs it. */
  onBackgroundError?: (error: unknown) => void;
  /** The clock, epoch ms; tests pass their own. */
  now?: () => number;
}

/** Separate lanes, so a flood of password changes cannot starve sign-ins of hashing time. */
export interface PasswordLanes {
  /** Sign-in and registration. */
  signIn: LaneLimits;
  /** Password changes. */
  passwordChange: LaneLimits;
}

/**
 * Sign-ins hash on every core but one (at least one), password changes on one more; libuv's pool
 * has four threads. The core left free keeps the event loop answering: with every core hashing,
 * a storm of sign-ins tripled the p99 of every other request (npm run bench, 2 cores). Each
 * address group (IPv4 address, IPv6 /64) holds a few tasks at most, and groups take turns, so
 * two addresses flooding sign-in cannot delay anyone else's by more than a hash or so (issue 20,
 * finding 5); past its share a group gets 429, past the whole queue everyone gets 503.
 */
export const defaultPasswordLanes: PasswordLanes = {
  signIn: { concurrency: Math.max(1, availableParallelism() - 1), maxQueued: 128, perGroup: 4 },
  passwordChange: { concurrency: 1, maxQueued: 8, perGroup: 2 },
};

/** A password-reset request's work after the answer starts at a random time within this many ms. */
const RESET_WORK_SPREAD_MS = 1_000;

/** The revocation list is stale after this long without catching up (the load balancer's cue). */
export const REVOCATION_STALE_AFTER_MS = 5_000;
/** The default `REVOCATION_POLL_MS`. */
export const DEFAULT_REVOCATION_POLL_MS = 250;

export type Auth = Awaited<ReturnType<typeof createAuth>>;

/**
 * The server-side auth core: every operation the API exposes, over an open database. No HTTP here;
 * inputs are already validated and emails already normalised.
 *
 * @example
 * const auth = await createAuth({ store, background, box, config: { issuer, audience, ...defaultAuthConfig } });
 * const { session, refreshToken } = await auth.login({ email, password }, { userAgent });
 */
export async function createAuth({
  store,
  config,
  box,
  throttleLimits,
  passwordLanes = defaultPasswordLanes,
  passwordHasher = argon2idHasher,
  background,
  revocationPollMs = DEFAULT_REVOCATION_POLL_MS,
  revocationFeed,
  onBackgroundError = () => undefined,
  now = Date.now,
}: CreateAuthOptions) {
  const keys = await SigningKeyRing.open({
    store: store.signingKeys,
    box,
    accessTokenTtl: config.accessTokenTtl,
    signingKeyMaxAge: config.signingKeyMaxAge,
    now,
  });
  const tokenOptions: AccessTokenOptions = {
    keys,
    issuer: config.issuer,
    audience: config.audience,
    ttl: config.accessTokenTtl,
    // The signature check is the costliest step of an authenticated request; a token's second
    // and later uses skip it (the revocation list below is still consulted on every one).
    cache: new VerifiedTokenCache({ ttl: config.accessTokenTtl, clockTolerance: CLOCK_TOLERANCE_S }),
  };
  const userById = cachedUserById((id) => store.findUserById(id));
  const throttle = throttleLimits === 'off' ? noThrottle : createThrottle(store, throttleLimits);
  // RATE_LIMIT=off (load tests, every request from one address): no share per address either.
  const lane = (limits: LaneLimits) =>
    createWorkLane(throttleLimits === 'off' ? { ...limits, perGroup: Number.POSITIVE_INFINITY } : limits);
  const signInLane = lane(passwordLanes.signIn);
  const passwordChangeLane = lane(passwordLanes.passwordChange);
  /** Whose turn a hash is taken on: the client's address group, as the throttle counts it. */
  const laneGroup = (client: ClientInfo) => addressGroup(client.ip);
  // A session's access tokens outlive it by at most their lifetime plus the clock leeway.
  const revoked = new RevocationList({
    windowMs: (config.accessTokenTtl + CLOCK_TOLERANCE_S) * 1000,
    staleAfterMs: REVOCATION_STALE_AFTER_MS,
    now,
  });
  const feed = revocationFeed ?? createPollingRevocationFeed({ reader: background, pollMs: revocationPollMs, now });
  // The feed also tells of other processes' rotations: a retired or revoked key stops being
  // trusted here as soon as it arrives, not only when the keys next reload by themselves.
  const sink: RevocationSink = {
    caughtUp: (revocations, asOf) => revoked.caughtUp(revocations, asOf),
    signingKeysChanged: () => keys.keysChanged(),
  };
  // Before the server listens: a token of a session ended a minute ago must already be refused.
  try {
    await feed.start(sink, revoked.horizon());
  } catch (error) {
    await feed.stop();
    throw new Error('Could not load the sessions ended recently', { cause: error });
  }
  // Hash the dummy now, so the first unknown-email sign-in is not the only fast one.
  await passwordHasher.dummyHash();

  const record = (event: NewAuthEvent) => store.recordEvent(event, now());
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

  /** Ends sessions in this process's list at once; other processes read them from the database. */
  const forget = (sessionIds: readonly string[], at: number) => {
    for (const sessionId of sessionIds) revoked.add(sessionId, at);
  };

  /**
   * Starts a session for whoever just proved a credential, if the account's security stamp is
   * still the one read with it (`subject.credentialVersion`): a reset, a password or role change
   * or "sign out everywhere" in the meantime refuses it. The token's role is read with the insert.
   */
  async function signIn(
    subject: CredentialSubject,
    client: ClientInfo,
    method: SignInMethod = 'password',
  ): Promise<SignedIn> {
    const started = await startSession(subject, client, method);
    await record({ userId: subject.userId, type: 'signed_in', sessionId: started.sessionId, client, method });
    return sessionFor(started.user, started);
  }

  function startSession(subject: CredentialSubject, client: ClientInfo, method: SignInMethod) {
    return store.startSession(config, { ...subject, userAgent: client.userAgent, method }, now());
  }

  /** Applies a credential change and ends every session (see `CredentialChange`), here at once, elsewhere within a poll. */
  async function endAllSessions(change: CredentialChange): Promise<CredentialChanged | null> {
    const at = now();
    const changed = await store.endAllSessions(change, at);
    if (changed) {
      userById.forget(change.userId);
      forget(changed.endedSessionIds, at);
    }
    return changed;
  }

  /** The caller's password checked as a sign-in checks it (throttled, in the hashing lane), and the stamp read before. */
  async function checkPassword(caller: Caller, password: string, client: ClientInfo): Promise<CredentialSubject> {
    await throttle.countAttempt(client.ip);
    const user = await userById.fresh(caller.userId);
    if (!user) throw new AuthError('INVALID_CREDENTIALS');
    await throttle.countAccountAttempt(user.email);
    const stored = await store.findCredential(caller.userId);
    const storedHash = stored?.passwordHash || (await passwordHasher.dummyHash());
    const valid = await signInLane.run(laneGroup(client), () => passwordHasher.verify(storedHash, password));
    if (!stored?.passwordHash || !valid) throw new AuthError('INVALID_CREDENTIALS');
    await throttle.clearFailures(user.email);
    return { userId: caller.userId, credentialVersion: stored.credentialVersion };
  }

  /** A new link for `purpose` in a sealed mail to `to`: the same work whoever has the address. */
  function linkMail(to: string, purpose: EmailTokenPurpose, at: number) {
    const reset = purpose === 'password_reset';
    return mailedToken({
      box,
      origin: config.issuer,
      purpose,
      expiresAt: at + (reset ? config.passwordResetTtl : EMAIL_VERIFICATION_TTL) * 1000,
      compose: (link) =>
        reset
          ? passwordResetMail({ to, link, validMinutes: Math.max(1, Math.round(config.passwordResetTtl / 60)) })
          : verificationMail({ to, link }),
    });
  }

  /** Mails `user` a new link for `purpose`, superseding the last unused one, in one transaction. */
  async function mailLink(user: User, purpose: EmailTokenPurpose): Promise<void> {
    const at = now();
    await store.issueEmailToken({ ...linkMail(user.email, purpose, at), userId: user.id }, at);
    sender?.wake();
  }

  /**
   * Tells the owner a passkey was added, whoever added it (a session may be in the wrong hands):
   * at a proven address only, and at most `passkeyNotices` times a period, so add/remove cycles
   * cannot flood it (issue 20, finding 9). Each addition is in the activity all the same.
   */
  async function mailPasskeyNotice(userId: string): Promise<void> {
    const user = await store.findUserById(userId);
    if (!user?.emailVerified || !(await throttle.countPasskeyNotice(userId))) return;
    const at = now();
    await store.queueMail(
      sealedMail(box, passkeyAddedMail({ to: user.email, at, link: `${config.issuer}/account` })),
      at,
    );
    sender?.wake();
  }

  /** The process's mail sender, once the server starts it: woken after each mail is queued. */
  let sender: MailSender | null = null;

  /**
   * Work after the answer: its timing must not show in the response. It starts once the answer
   * is sent, or `delayMs` later. Awaited by `close`.
   */
  const pending = new Set<Promise<void>>();
  function afterAnswering(task: () => Promise<void>, delayMs = 0): void {
    const run = new Promise<void>((resolve) => (delayMs > 0 ? setTimeout(resolve, delayMs) : setImmediate(resolve)))
      .then(task)
      .catch(onBackgroundError)
      .finally(() => pending.delete(run));
    pending.add(run);
  }

  /** A mailed link's token, used up: whose it is, or the refusal the client is told. */
  function refusedLink(purpose: EmailTokenPurpose, reason: string): AuthError {
    return new AuthError('EMAIL_LINK_REFUSED', `Mailed link refused: ${reason}`, { purpose, reason });
  }

  /** An access token for the session, carrying its role and its last proof (step-up reads it). */
  async function accessFor(user: User, sessionId: string, proof: SessionProof): Promise<Session> {
    const subject = { userId: user.id, sessionId, role: user.role, proof };
    const { accessToken, expiresAt } = await issueAccessToken(tokenOptions, subject, now());
    return { accessToken, expiresAt, user };
  }

  async function sessionFor(user: User, issued: IssuedRefreshToken): Promise<SignedIn> {
    const session = await accessFor(user, issued.sessionId, issued.proof);
    return { session, refreshToken: issued.refreshToken, refreshTokenExpiresAt: issued.expiresAt };
  }

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
     * guesses cannot outrun the limit; a success wipes the count.
     */
    async login(input: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      await throttle.countAccountAttempt(input.email);
      const found = await store.findUserByEmail(input.email);
      const storedHash = found?.passwordHash ?? (await passwordHasher.dummyHash());
      const valid = await signInLane.run(laneGroup(client), () => passwordHasher.verify(storedHash, input.password));
      if (!found || !valid) throw new AuthError('INVALID_CREDENTIALS');
      await throttle.clearFailures(input.email);
      // Only someone who knows the password learns that the address is not verified yet.
      if (config.requireVerifiedEmail && !found.emailVerified) throw new AuthError('EMAIL_NOT_VERIFIED');
      return signIn({ userId: found.id, credentialVersion: found.credentialVersion }, client);
    },

    /**
     * Exchanges a refresh token for a new one and a new access token. `graceRetry` is true when
     * this was the same client presenting the token it had just exchanged (the server logs it).
     * Throws `AuthError('INVALID_REFRESH_TOKEN')` with `details.reason` one of `unknown`,
     * `expired`, `revoked`, `reused` (and `details.reuse`) or `user_gone`, and `RateLimitedError`.
     * A reuse ends the session here at once and is recorded.
     */
    async refresh(
      refreshToken: string,
      client: ClientInfo,
    ): Promise<SignedIn & { graceRetry: boolean; sessionId: string }> {
      await throttle.countRefresh(client.ip);
      const request = { presentedToken: refreshToken, client: clientFingerprint(client), box };
      const rotated = await store.rotateRefreshToken(config, request, now());
      if (!rotated.ok) {
        if (rotated.reason === 'reused') {
          forget([rotated.sessionId], now());
          await record({ userId: rotated.userId, type: 'refresh_token_reused', sessionId: rotated.sessionId, client });
        }
        throw new AuthError('INVALID_REFRESH_TOKEN', `Refresh refused: ${rotated.reason}`, {
          reason: rotated.reason,
          reuse: rotated.reason === 'reused' ? rotated.reuse : null,
          sessionId: rotated.sessionId,
        });
      }
      // Read fresh, not from the cache: the new token's role must be the stored one.
      const user = await userById.fresh(rotated.userId);
      if (!user) throw new AuthError('INVALID_REFRESH_TOKEN', 'Refresh refused: user gone', { reason: 'user_gone' });
      // REQUIRE_VERIFIED_EMAIL turned on later binds the sessions that were already there too:
      // the session ends (the rotation has committed), and signing in again needs the address.
      if (config.requireVerifiedEmail && !user.emailVerified) {
        const at = now();
        await store.revokeSession({ sessionId: rotated.sessionId, userId: user.id, reason: 'email_not_verified' }, at);
        forget([rotated.sessionId], at);
        throw new AuthError('EMAIL_NOT_VERIFIED');
      }
      const signedIn = await sessionFor(user, rotated);
      return { ...signedIn, graceRetry: rotated.graceRetry, sessionId: rotated.sessionId };
    },

    /**
     * Replaces the password after checking the current one, ends every session of the user (a
     * thief's included) and starts a fresh one for the caller. Every attempt counts against the
     * address and the user, and as a sign-in attempt on the account (wiped on success). Throws
     * `AuthError('INVALID_CREDENTIALS')`, `RateLimitedError` or `BusyError`.
     */
    async changePassword(
      input: { userId: string; currentPassword: string; newPassword: string },
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
      // Only from the credential just checked: a reset or another change meanwhile wins.
      const changed = await endAllSessions({
        userId: user.id,
        reason: 'password_changed',
        passwordHash: newHash,
        expectedVersion: stored.credentialVersion,
      });
      if (!changed) throw credentialMoved();
      const subject = { userId: user.id, credentialVersion: changed.credentialVersion };
      const started = await startSession(subject, client, 'password');
      await record({ userId: user.id, type: 'password_changed', sessionId: started.sessionId, client });
      return sessionFor(started.user, started);
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
     * `keptPasskeys`: how many the account still has, for the owner to check. Throws `AuthError('EMAIL_LINK_REFUSED')`
     * (details.reason: unknown, expired, used, superseded), `RateLimitedError`, `BusyError`.
     */
    async resetPassword(
      input: { token: string; newPassword: string },
      client: ClientInfo,
    ): Promise<SignedIn & PasskeysAfterReset> {
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
      // added before anyone proved the address (an attacker's passkey) goes with every session.
      const changed = await endAllSessions({
        userId: found.id,
        reason: 'password_reset',
        passwordHash: newHash,
        removePasskeys: !found.emailVerified,
      });
      if (!changed) throw refusedLink('password_reset', 'unknown');
      await store.markEmailVerified(found.id, now());
      await throttle.clearFailures(found.email);
      const subject = { userId: found.id, credentialVersion: changed.credentialVersion };
      const started = await startSession(subject, client, 'password');
      await record({ userId: found.id, type: 'password_reset', sessionId: started.sessionId, client });
      const user = { ...started.user, emailVerified: true };
      const keptPasskeys = (await store.listPasskeys(found.id)).length;
      return { ...(await sessionFor(user, started)), removedPasskeys: changed.removedPasskeys, keptPasskeys };
    },

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

    /** Passkeys: registering, listing and removing them, and signing in with one (passkey-auth.ts). */
    passkeys,

    /**
     * The owner proves a primary credential again inside their session (the password, or a
     * passkey of theirs answering `passkeys.authenticationOptions`), for the changes
     * `freshProcedure` guards: a new access token for the same session, its `auth_time` now.
     * Counted like a sign-in. Throws `INVALID_CREDENTIALS` (a wrong password, another account's
     * passkey, a credential changed meanwhile), `PASSKEY_REFUSED`, `RateLimitedError`, `BusyError`.
     */
    async reauthenticate(caller: Caller, proof: ReauthenticationProof, client: ClientInfo): Promise<Session> {
      const [subject, method] =
        'password' in proof
          ? [await checkPassword(caller, proof.password, client), 'password' as const]
          : [await passkeys.verifyAssertion(proof.passkey, client), 'passkey' as const];
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
      return accessFor(user, caller.sessionId, { authTime: at, method });
    },

    /** Whether a proof made at `authTime` (epoch ms, the token's `auth_time`) is recent enough for a sensitive change. */
    proofIsFresh(authTime: number): boolean {
      return now() - authTime <= config.reauthMaxAge * 1000;
    },

    /** Why passkeys are off (PUBLIC_ORIGIN is an IP address), for the start-up log; null when they are on. */
    passkeysUnavailable: relyingParty.ok ? null : relyingParty.reason,

    /** Ends the session the access token belongs to. */
    async logout(caller: Caller, client: ClientInfo): Promise<void> {
      const at = now();
      const ended = await store.revokeSession(
        { sessionId: caller.sessionId, userId: caller.userId, reason: 'logout' },
        at,
      );
      if (!ended) return;
      forget([caller.sessionId], at);
      await record({ userId: caller.userId, type: 'signed_out', sessionId: caller.sessionId, client });
    },

    /** Ends every session of the user, the caller's included. */
    async logoutAll(caller: Caller, client: ClientInfo): Promise<void> {
      await endAllSessions({ userId: caller.userId, reason: 'logout_all' });
      await record({ userId: caller.userId, type: 'signed_out_everywhere', sessionId: caller.sessionId, client });
    },

    /** The user's live sessions, most recently used first. */
    listSessions(userId: string): Promise<SessionSummary[]> {
      return store.listSessions(userId, now());
    },

    /** Ends one of the caller's sessions. Throws `SESSION_NOT_FOUND` if it is not theirs or not live. */
    async revokeSession(caller: Caller, sessionId: string, client: ClientInfo): Promise<void> {
      const at = now();
      if (!(await store.revokeSession({ sessionId, userId: caller.userId, reason: 'revoked' }, at))) {
        throw new AuthError('SESSION_NOT_FOUND');
      }
      forget([sessionId], at);
      await record({
        userId: caller.userId,
        type: 'session_revoked',
        sessionId,
        actorSessionId: caller.sessionId,
        client,
      });
    },

    /**
     * Gives the account with this email a role and ends all its sessions, so no live token
     * carries the old role. Null when there is no such account.
     */
    async setRole(email: string, role: Role): Promise<User | null> {
      const found = await store.findUserByEmail(email);
      if (!found) return null;
      const changed = await endAllSessions({ userId: found.id, reason: 'role_changed', role });
      return changed?.user ?? null;
    },

    /** Every account, newest first, a page at a time (the admin page). */
    listUsers(page: {
      limit: number;
      after: UsersCursor | null;
    }): Promise<{ items: UserOverview[]; next: UsersCursor | null }> {
      return store.listUsers(page, now());
    },

    /**
     * Ends every session of another user (an admin acting): at once in this process, within a
     * poll in the others. Returns false when there is no such user.
     */
    async revokeUserSessions(actor: Caller, userId: string, client: ClientInfo): Promise<boolean> {
      if (!(await endAllSessions({ userId, reason: 'revoked_by_admin' }))) return false;
      await record({ userId, type: 'signed_out_everywhere', sessionId: null, actorSessionId: actor.sessionId, client });
      return true;
    },

    /** The user's last security events, newest first. */
    recentActivity(userId: string): Promise<AuthEvent[]> {
      return store.listRecentEvents(userId);
    },

    /**
     * Checks an access token with the keys and the list of ended sessions in memory: no database
     * work on the hot path. While the list is stale (`revocationListStale`), the caller must also
     * confirm the session (`sessionStatus`), as `protectedProcedure` does.
     */
    async verifyAccessToken(token: string): Promise<AccessCheck> {
      const check = await verifyAccessToken(tokenOptions, token, now());
      if (check.ok && revoked.has(check.token.sessionId)) return { ok: false, reason: 'revoked' };
      return check;
    },

    /** Reads the session in the database: for sensitive operations, which must not trust the list alone. */
    sessionStatus(caller: Caller): Promise<SessionStatus> {
      return store.sessionStatus(caller, now());
    },

    /**
     * Whether REQUIRE_VERIFIED_EMAIL is on and this user's address is not verified yet: the flag
     * binds sessions started before it was turned on too (read at most once a second, as `getUser`).
     */
    async mustVerifyEmail(userId: string): Promise<boolean> {
      return config.requireVerifiedEmail && !(await userById.get(userId))?.emailVerified;
    },

    /**
     * True when the list of ended sessions may be missing some (its feed has not caught up for
     * over five seconds): protected procedures then confirm each session in the database instead
     * of trusting the list (issue 20, finding 4). A clock read and a comparison, for every request.
     */
    revocationListStale(): boolean {
      return revoked.isStale();
    },

    /** How current the list of ended sessions is. */
    revocationHealth(): RevocationHealth {
      return { stale: revoked.isStale(), lagMs: revoked.lagMs(), lastError: feed.lastError(), size: revoked.size };
    },

    /**
     * The user as stored, for `auth.me`: read at most once a second per process (this process's
     * own changes show at once, another's within the second).
     */
    getUser(userId: string): Promise<User | null> {
      return userById.get(userId);
    },

    /** The JSON Web Key Set that verifies our access tokens. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: await keys.publicJwks() };
    },

    /** Prunes long-ended sessions and spent throttle counters, in batches; the server runs it hourly. */
    pruneExpired(): Promise<PruneResult> {
      return store.pruneExpired(now());
    },

    /** Whether the database would take a write now (in the background: a lock cannot stall requests). */
    databaseWriteHealth(): Promise<DatabaseHealth> {
      return background.writeHealth();
    },

    /** Clears refresh successors whose grace window has passed; the server runs it every few seconds. */
    expireGraceSuccessors(): Promise<number> {
      return background.expireGraceSuccessors(now() - config.refreshReuseGrace * 1000);
    },

    /**
     * Replaces the signing key now; old tokens stay valid until they expire. With `revoke` (a
     * key has leaked), every other key is distrusted at once: their tokens are refused (honest
     * clients refresh onto the new key). Resolves to the new kid and the kids revoked.
     */
    rotateSigningKey(options: { revoke?: boolean } = {}): Promise<{ kid: string; revoked: string[] }> {
      return keys.rotate(options);
    },

    /**
     * Starts sending what the outbox holds through `transport` (see `startMailSender`), and
     * wakes it whenever a mail is queued. `close` stops it.
     */
    startMailSender(transport: MailTransport, log: MailSenderLog): MailSender {
      sender = startMailSender({ outbox: background, transport, open: (mail) => openQueuedMail(box, mail), log, now });
      return sender;
    },

    /** Stops following other processes' revocations and the background work. Call before closing the database. */
    async close(): Promise<void> {
      await Promise.all(pending);
      await sender?.stop();
      await feed.stop();
      await background.close();
    },
  };
}
