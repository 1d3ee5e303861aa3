import type { TesseraDb } from '@tessera/db';
import type { JWK } from 'jose';
import { type AccessTokenOptions, issueAccessToken, type VerifiedAccessToken, verifyAccessToken } from './access-token';
import type { AuthConfig } from './config';
import { AuthError } from './errors';
import { getDummyHash, hashPassword, verifyPassword } from './password';
import {
  listSessions,
  revokeAllSessions,
  revokeSession,
  rotateRefreshToken,
  type SessionSummary,
  startSession,
} from './sessions';
import { SigningKeyRing } from './signing-keys';
import { createThrottle, type ThrottleLimits } from './throttle';
import { findPasswordHash, findUserByEmail, findUserById, insertUser, setPasswordHash, type User } from './users';

/** What a client receives on sign-in and refresh (contract §4: Session). */
export interface Session {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  user: User;
}

/** A session plus the refresh token for the cookie, which never goes into a response body. */
export interface SignedIn {
  session: Session;
  refreshToken: string;
  /** Epoch ms: when the refresh cookie should expire. */
  refreshTokenExpiresAt: number;
}

/** Facts about the request: the user agent is shown on the sessions page, the address throttled. */
export interface ClientInfo {
  userAgent: string | null;
  /** The client's address (from X-Forwarded-For only behind a trusted proxy). */
  ip: string;
}

export interface CreateAuthOptions {
  db: TesseraDb;
  config: AuthConfig;
  /** Brute-force limits; the contract's by default. */
  throttleLimits?: ThrottleLimits;
  /** The clock, epoch ms; tests pass their own. */
  now?: () => number;
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;

/**
 * The server-side auth core: every operation the API exposes, over an open database. No HTTP here;
 * inputs are already validated and emails already normalised.
 *
 * @example
 * const auth = await createAuth({ db, config: { issuer, audience, ...defaultAuthConfig } });
 * const { session, refreshToken } = await auth.login({ email, password }, { userAgent });
 */
export async function createAuth({ db, config, throttleLimits, now = Date.now }: CreateAuthOptions) {
  const keys = await SigningKeyRing.open({
    db,
    accessTokenTtl: config.accessTokenTtl,
    signingKeyMaxAge: config.signingKeyMaxAge,
    now,
  });
  const tokenOptions: AccessTokenOptions = {
    keys,
    issuer: config.issuer,
    audience: config.audience,
    ttl: config.accessTokenTtl,
  };
  const throttle = createThrottle(db, throttleLimits);
  // Hash the dummy now, so the first unknown-email sign-in is not the only fast one.
  await getDummyHash();

  async function signIn(user: User, client: ClientInfo): Promise<SignedIn> {
    const issued = startSession(db, config, { userId: user.id, userAgent: client.userAgent }, now());
    return sessionFor(user, issued.sessionId, issued.refreshToken, issued.expiresAt);
  }

  async function sessionFor(user: User, sessionId: string, refreshToken: string, refreshTokenExpiresAt: number) {
    const { accessToken, expiresAt } = await issueAccessToken(tokenOptions, { userId: user.id, sessionId }, now());
    return { session: { accessToken, expiresAt, user }, refreshToken, refreshTokenExpiresAt };
  }

  return {
    /** Creates an account and signs it in. Throws `AuthError('EMAIL_TAKEN')`, `RateLimitedError`. */
    async register(
      input: { email: string; password: string; name: string | null },
      client: ClientInfo,
    ): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      const passwordHash = await hashPassword(input.password);
      const user = insertUser(db, { email: input.email, name: input.name, passwordHash }, now());
      return signIn(user, client);
    },

    /**
     * Throws `AuthError('INVALID_CREDENTIALS')` alike for an unknown email and a wrong password,
     * and `RateLimitedError` past the address's attempts or the account's failures.
     */
    async login(input: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
      await throttle.countAttempt(client.ip);
      await throttle.assertAccountNotLocked(input.email);
      const found = findUserByEmail(db, input.email);
      const valid = await verifyPassword(found?.passwordHash ?? (await getDummyHash()), input.password);
      if (!found || !valid) {
        await throttle.recordFailure(input.email);
        throw new AuthError('INVALID_CREDENTIALS');
      }
      await throttle.clearFailures(input.email);
      const { passwordHash: _, ...user } = found;
      return signIn(user, client);
    },

    /** Exchanges a refresh token for a new one and a new access token. Throws `INVALID_REFRESH_TOKEN`. */
    async refresh(refreshToken: string): Promise<SignedIn> {
      const rotated = rotateRefreshToken(db, config, refreshToken, now());
      if (!rotated.ok) {
        throw new AuthError('INVALID_REFRESH_TOKEN', `Refresh refused: ${rotated.reason}`, {
          reason: rotated.reason,
          sessionId: rotated.sessionId,
        });
      }
      const user = findUserById(db, rotated.userId);
      if (!user) throw new AuthError('INVALID_REFRESH_TOKEN', 'Refresh refused: user gone', { reason: 'user_gone' });
      return sessionFor(user, rotated.sessionId, rotated.refreshToken, rotated.expiresAt);
    },

    /**
     * Replaces the password after checking the current one, ends every session of the user (a
     * thief's included) and starts a fresh one for the caller. Wrong current passwords count as
     * failed sign-ins. Throws `AuthError('INVALID_CREDENTIALS')` or `RateLimitedError`.
     */
    async changePassword(
      input: { userId: string; currentPassword: string; newPassword: string },
      client: ClientInfo,
    ): Promise<SignedIn> {
      const user = findUserById(db, input.userId);
      if (!user) throw new AuthError('INVALID_CREDENTIALS');
      await throttle.assertAccountNotLocked(user.email);
      const storedHash = findPasswordHash(db, user.id) ?? (await getDummyHash());
      if (!(await verifyPassword(storedHash, input.currentPassword))) {
        await throttle.recordFailure(user.email);
        throw new AuthError('INVALID_CREDENTIALS');
      }
      setPasswordHash(db, user.id, await hashPassword(input.newPassword));
      revokeAllSessions(db, { userId: user.id, reason: 'password_changed' }, now());
      return signIn(user, client);
    },

    /** Ends the session the access token belongs to. */

    logout(access: { userId: string; sessionId: string }): void {
      revokeSession(db, { sessionId: access.sessionId, userId: access.userId, reason: 'logout' }, now());
    },

    /** Ends every session of the user, this one included. */
    logoutAll(userId: string): void {
      revokeAllSessions(db, { userId, reason: 'logout_all' }, now());
    },

    /** The user's live sessions, most recently used first. */
    listSessions(userId: string): SessionSummary[] {
      return listSessions(db, userId, now());
    },

    /** Ends one of the user's sessions. Throws `SESSION_NOT_FOUND` if it is not theirs or not live. */
    revokeSession(input: { userId: string; sessionId: string }): void {
      if (!revokeSession(db, { ...input, reason: 'revoked' }, now())) throw new AuthError('SESSION_NOT_FOUND');
    },

    /** Checks an access token with the keys in memory: no database work on the hot path. */
    verifyAccessToken(token: string): Promise<VerifiedAccessToken | null> {
      return verifyAccessToken(tokenOptions, token, now());
    },

    getUser(userId: string): User | null {
      return findUserById(db, userId);
    },

    /** The JSON Web Key Set that verifies our access tokens. */
    jwks(): { keys: JWK[] } {
      return { keys: keys.publicJwks() };
    },

    /** Deletes expired throttle counters; the server calls it now and then. */
    sweepExpired(): void {
      throttle.sweep(now());
    },

    /** Replaces the signing key now (e.g. after a suspected leak); old tokens stay valid until they expire. */
    rotateSigningKey(): Promise<void> {
      return keys.rotate();
    },
  };
}
