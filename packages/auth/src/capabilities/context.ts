import type { Session } from '@tessera/contract';
import {
  emailChangeMail,
  type MailMessage,
  type MailSender,
  type MailSenderLog,
  type MailTransport,
  passkeyAddedMail,
  passwordResetMail,
  startMailSender,
  verificationMail,
} from '@tessera/mail';
import type { FirstFactor, NewAuthEvent, SignInMethod } from '../accounts/events';
import { cachedUserById } from '../accounts/user-cache';
import type { User } from '../accounts/users';
import { type AuthConfig, EMAIL_VERIFICATION_TTL } from '../config';
import { AuthError } from '../errors';
import type { EmailTokenPurpose, NewEmailToken } from '../mailed-links/email-tokens';
import { mailedToken, openQueuedMail, sealedMail } from '../mailed-links/mailed-links';
import { argon2idHasher, type PasswordHasher } from '../passwords/password';
import { createPollingRevocationFeed, type RevocationFeed, type RevocationSink } from '../revocation/revocation-feed';
import { RevocationList } from '../revocation/revocation-list';
import type { ClientInfo } from '../sessions/client-info';
import type {
  CredentialChange,
  CredentialChanged,
  IssuedRefreshToken,
  SessionProof,
  StartedSession,
} from '../sessions/sessions';
import type { BackgroundDb } from '../store/background';
import type { AuthStore } from '../store/store';
import { addressGroup } from '../throttle/address-group';
import { createThrottle, noThrottle, type Throttle } from '../throttle/throttle';
import { createWorkLane, type LaneLimits, type WorkLane } from '../throttle/work-lane';
import { type AccessTokenOptions, CLOCK_TOLERANCE_S, issueAccessToken } from '../tokens/access-token';
import type { SecretBox } from '../tokens/secret-box';
import { SigningKeyRing } from '../tokens/signing-keys';
import { VerifiedTokenCache } from '../tokens/verified-token-cache';
import { newPendingSignIn } from '../two-factor/two-factor';
import {
  type CreateAuthOptions,
  DEFAULT_REVOCATION_POLL_MS,
  defaultPasswordLanes,
  REVOCATION_STALE_AFTER_MS,
} from './options';

/** What a client receives on sign-in and refresh: the contract's Session. */
export type { Session };

/** A session plus the refresh token for the cookie, which never goes into a response body. */
export interface SignedIn {
  session: Session;
  refreshToken: string;
  /** Epoch ms: when the refresh cookie should expire. */
  refreshTokenExpiresAt: number;
}

/**
 * What a password sign-in answers for an account with two-step verification: no session yet, a
 * handle for `auth.twoFactor.verify` (single use, five minutes, this client only).
 */
export interface SecondStep {
  secondFactorRequired: true;
  pendingSignIn: string;
}

/**
 * Whether a sign-in answered a pending sign-in (the account has two-step verification) rather
 * than a session.
 *
 * @example
 * const result = await auth.login(input, client);
 * if (needsSecondStep(result)) return askForCode(result.pendingSignIn);
 */
export function needsSecondStep<T extends object>(result: T | SecondStep): result is SecondStep {
  return 'secondFactorRequired' in result;
}

/** Who just proved a credential, and the security stamp read with it. */
export interface CredentialSubject {
  userId: string;
  credentialVersion: number;
}

/** The signed-in caller of a protected operation, as its verified access token says. */
export interface Caller {
  userId: string;
  sessionId: string;
}

/**
 * What every capability of `createAuth` shares: the options, the keys, caches, throttles and
 * hashing lanes, the list of ended sessions, and the few steps several capabilities take
 * (starting a session, ending them all, signing a token, mailing a link, work after the answer).
 * One per `createAuth`: the capability modules of this folder take it, passkeys/passkey-auth.ts
 * the few parts it needs.
 */
export interface AuthContext {
  config: AuthConfig;
  store: AuthStore;
  box: SecretBox;
  background: BackgroundDb;
  passwordHasher: PasswordHasher;
  now: () => number;
  /** The signing keys, as this process knows them. */
  keys: SigningKeyRing;
  /** How access tokens are signed and checked (keys, issuer, audience, lifetime, verified-token cache). */
  tokenOptions: AccessTokenOptions;
  /** The user read by id, reused for a second (`auth.me`); this process's changes call `forget`. */
  userById: ReturnType<typeof cachedUserById>;
  throttle: Throttle;
  /** Hashing for sign-in and registration, and for password changes and resets (`PasswordLanes`). */
  signInLane: WorkLane;
  passwordChangeLane: WorkLane;
  /** Whose turn a hash is taken on: the client's address group, as the throttle counts it. */
  laneGroup(client: ClientInfo): string;
  /** Sessions ended recently (within an access token's lifetime), in memory: every token check reads it. */
  revoked: RevocationList;
  /** How this process follows the sessions others end; `close` stops it. */
  feed: RevocationFeed;
  /** Appends a security event to the user's activity. */
  record(event: NewAuthEvent): Promise<void>;
  /**
   * Ends sessions in this process's list at once, with the reason recorded on them (what the
   * client is told); other processes read them from the database.
   */
  forget(sessionIds: readonly string[], at: number, reason: string): void;
  /**
   * Starts a session for whoever just proved a credential, records `signed_in`, and signs its
   * first access token (see `startSession`).
   */
  signIn(subject: CredentialSubject, client: ClientInfo, method?: SignInMethod): Promise<SignedIn>;
  /**
   * Starts a session if the account's security stamp is still the one read with the proof
   * (`subject.credentialVersion`): a reset, a password or role change or "sign out everywhere"
   * in the meantime refuses it. The token's role is read with the insert.
   */
  startSession(subject: CredentialSubject, client: ClientInfo, method: SignInMethod): Promise<StartedSession>;
  /**
   * The first factor (the password, or a provider) was right and the account has two-step
   * verification: a pending sign-in for this client, which `auth.twoFactor.verify` completes
   * (the stamp is checked then).
   */
  pendSignIn(subject: CredentialSubject, client: ClientInfo, firstFactor?: FirstFactor): Promise<SecondStep>;
  /** Applies a credential change and ends every session (see `CredentialChange`), here at once, elsewhere within a poll. */
  endAllSessions(change: CredentialChange): Promise<CredentialChanged | null>;
  /** An access token for the session, carrying its role and its last proof (step-up reads it). */
  accessFor(user: User, sessionId: string, proof: SessionProof, dpopJkt: string | null): Promise<Session>;
  /** The session's access token and its refresh token, as sign-in and refresh answer. */
  sessionFor(user: User, issued: IssuedRefreshToken): Promise<SignedIn>;
  /** A new link for `purpose` in a sealed mail to `to`: the same work whoever has the address. */
  linkMail(to: string, purpose: LinkPurpose, at: number): Omit<NewEmailToken, 'userId'>;
  /** Mails `user` a new link for `purpose`, superseding the last unused one, in one transaction. */
  mailLink(user: User, purpose: LinkPurpose): Promise<void>;
  /**
   * Tells the owner a passkey was added, whoever added it (a session may be in the wrong hands):
   * at a proven address only, and at most `passkeyNotices` times a period, so add/remove cycles
   * cannot flood it (issue 20, finding 9). Each addition is in the activity all the same.
   */
  mailPasskeyNotice(userId: string): Promise<void>;
  /** Tells the mail sender a rule queued mail (it would otherwise find it on its next round). */
  wakeMailSender(): void;
  /** Queues a sealed notice (no link that signs in) and wakes the sender. */
  mailNotice(message: MailMessage): Promise<void>;
  /** Starts the process's mail sender (see `auth.startMailSender`); each mail queued then wakes it. */
  startMailSender(transport: MailTransport, log: MailSenderLog): MailSender;
  /**
   * Work after the answer: its timing must not show in the response. It starts once the answer
   * is sent, or `delayMs` later; a failure goes to `onBackgroundError`. Awaited by `close`.
   */
  afterAnswering(task: () => Promise<void>, delayMs?: number): void;
  /** Waits for the work after answers, then stops the mail sender, the feed and the background. */
  close(): Promise<void>;
}

/** The links `linkMail` makes: the undo of an email change is made with its notice (capabilities/email-change.ts). */
export type LinkPurpose = Exclude<EmailTokenPurpose, 'email_change_undo'>;

/** Seconds each kind of link works. */
const LINK_TTL: Record<LinkPurpose, (config: AuthConfig) => number> = {
  password_reset: (config) => config.passwordResetTtl,
  email_verification: () => EMAIL_VERIFICATION_TTL,
  email_change: (config) => config.emailChangeTtl,
};

/** A mailed link's token refused: the `EMAIL_LINK_REFUSED` the client is told. */
export function refusedLink(purpose: EmailTokenPurpose, reason: string): AuthError {
  return new AuthError('EMAIL_LINK_REFUSED', `Mailed link refused: ${reason}`, { purpose, reason });
}

/**
 * Opens what the capabilities share: loads the signing keys, and the sessions ended within an
 * access token's lifetime (before the server listens, a token of a session ended a minute ago
 * must already be refused), then follows other processes' revocations.
 */
export async function openAuthContext({
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
}: CreateAuthOptions): Promise<AuthContext> {
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
    // and later uses skip it (the revocation list is still consulted on every one).
    cache: new VerifiedTokenCache({ ttl: config.accessTokenTtl, clockTolerance: CLOCK_TOLERANCE_S }),
  };
  const userById = cachedUserById((id) => store.findUserById(id));
  const throttle = throttleLimits === 'off' ? noThrottle : createThrottle(store, throttleLimits);
  // RATE_LIMIT=off (load tests, every request from one address): no share per address either.
  const lane = (limits: LaneLimits) =>
    createWorkLane(throttleLimits === 'off' ? { ...limits, perGroup: Number.POSITIVE_INFINITY } : limits);
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
  try {
    await feed.start(sink, revoked.horizon());
  } catch (error) {
    await feed.stop();
    throw new Error('Could not load the sessions ended recently', { cause: error });
  }
  // Hash the dummy now, so the first unknown-email sign-in is not the only fast one.
  await passwordHasher.dummyHash();

  /** The process's mail sender, once the server starts it: woken after each mail is queued. */
  let sender: MailSender | null = null;
  const pending = new Set<Promise<void>>();

  const context: AuthContext = {
    config,
    store,
    box,
    background,
    passwordHasher,
    now,
    keys,
    tokenOptions,
    userById,
    throttle,
    signInLane: lane(passwordLanes.signIn),
    passwordChangeLane: lane(passwordLanes.passwordChange),
    laneGroup: (client) => addressGroup(client.ip),
    revoked,
    feed,

    record: (event) => store.recordEvent(event, now()),

    forget(sessionIds, at, reason) {
      for (const sessionId of sessionIds) revoked.add(sessionId, at, reason);
    },

    async signIn(subject, client, method = 'password') {
      const started = await context.startSession(subject, client, method);
      await context.record({ userId: subject.userId, type: 'signed_in', sessionId: started.sessionId, client, method });
      return context.sessionFor(started.user, started);
    },

    startSession(subject, client, method) {
      const dpopJkt = client.dpopJkt ?? null;
      return store.startSession(config, { ...subject, userAgent: client.userAgent, method, dpopJkt }, now());
    },

    async pendSignIn(subject, client, firstFactor = 'password') {
      const { handle, row } = newPendingSignIn({ ...subject, firstFactor }, client, now());
      await store.createPendingSignIn(row);
      return { secondFactorRequired: true, pendingSignIn: handle };
    },

    async endAllSessions(change) {
      const at = now();
      const changed = await store.endAllSessions(change, at);
      if (changed) {
        userById.forget(change.userId);
        context.forget(changed.endedSessionIds, at, change.reason);
      }
      return changed;
    },

    async accessFor(user, sessionId, proof, dpopJkt) {
      const subject = { userId: user.id, sessionId, role: user.role, proof, dpopJkt };
      const { accessToken, expiresAt } = await issueAccessToken(tokenOptions, subject, now());
      return { accessToken, expiresAt, user };
    },

    async sessionFor(user, issued) {
      const session = await context.accessFor(user, issued.sessionId, issued.proof, issued.dpopJkt);
      return { session, refreshToken: issued.refreshToken, refreshTokenExpiresAt: issued.expiresAt };
    },

    linkMail(to, purpose, at) {
      const ttl = LINK_TTL[purpose](config);
      const validMinutes = Math.max(1, Math.round(ttl / 60));
      return mailedToken({
        box,
        origin: config.issuer,
        purpose,
        expiresAt: at + ttl * 1000,
        compose: (link) => {
          if (purpose === 'password_reset') return passwordResetMail({ to, link, validMinutes });
          if (purpose === 'email_change') return emailChangeMail({ to, link, validMinutes });
          return verificationMail({ to, link });
        },
      });
    },

    async mailLink(user, purpose) {
      const at = now();
      await store.issueEmailToken({ ...context.linkMail(user.email, purpose, at), userId: user.id }, at);
      sender?.wake();
    },

    async mailPasskeyNotice(userId) {
      const user = await store.findUserById(userId);
      if (!user?.emailVerified || !(await throttle.countPasskeyNotice(userId))) return;
      const at = now();
      await store.queueMail(
        sealedMail(box, passkeyAddedMail({ to: user.email, at, link: `${config.issuer}/account` })),
        at,
      );
      sender?.wake();
    },

    wakeMailSender() {
      sender?.wake();
    },

    async mailNotice(message) {
      await store.queueMail(sealedMail(box, message), now());
      sender?.wake();
    },

    startMailSender(transport, log) {
      sender = startMailSender({ outbox: background, transport, open: (mail) => openQueuedMail(box, mail), log, now });
      return sender;
    },

    afterAnswering(task, delayMs = 0) {
      const run = new Promise<void>((resolve) => (delayMs > 0 ? setTimeout(resolve, delayMs) : setImmediate(resolve)))
        .then(task)
        .catch(onBackgroundError)
        .finally(() => pending.delete(run));
      pending.add(run);
    },

    async close() {
      await Promise.all(pending);
      await sender?.stop();
      await feed.stop();
      await background.close();
    },
  };
  return context;
}
