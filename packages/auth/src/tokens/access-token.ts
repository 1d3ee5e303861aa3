import { randomUUID, sign } from 'node:crypto';
import { ROLES, type Role } from '@tessera/contract';
import { errors, jwtVerify } from 'jose';
import {
  FIRST_FACTORS,
  type FirstFactor,
  SECOND_STEPS,
  type SecondStepKind,
  type SignInMethod,
  withSecondStep,
} from '../accounts/events';
import type { SessionProof } from '../sessions/sessions';
import { ACCESS_TOKEN_ALG, type SigningKeyRing } from './signing-keys';
import type { VerifiedAccessToken } from './verified-access-token';
import type { VerifiedTokenCache } from './verified-token-cache';

const isRole = (value: unknown): value is Role => ROLES.some((role) => role === value);

/** RFC 9068's media type for JWT access tokens; pinning it stops other JWTs being used as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Far above our ~400-character tokens; longer input is refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;
/**
 * A compact JWS and nothing else: three base64url parts. Decoders forgive stray characters
 * (a trailing space decodes to the same bytes), which would make one token many strings.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Tolerated clock difference between server processes, seconds. */
export const CLOCK_TOLERANCE_S = 5;

export interface AccessTokenOptions {
  keys: SigningKeyRing;
  issuer: string;
  audience: string;
  /** Lifetime, seconds. */
  ttl: number;
  /** Tokens verified before, by their exact text: a hit skips the signature check. */
  cache?: VerifiedTokenCache;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  role: Role;
  /** When and how the owner last proved a primary credential in this session. */
  proof: SessionProof;
  /** The device key the session is bound to (DPoP): the token carries it as `cnf.jkt` (RFC 9449 §6). */
  dpopJkt: string | null;
}

/** RFC 8176's authentication method references of each first factor and second step. */
const FIRST_FACTOR_AMR: Record<FirstFactor, string[]> = {
  password: ['pwd'],
  // Federated: an outside provider proved who it is (how, its own ID token says).
  github: ['fed'],
  google: ['fed'],
  oidc: ['fed'],
};
const SECOND_STEP_AMR: Record<SecondStepKind, string[]> = {
  totp: ['otp'],
  // A recovery code is a one-time password too.
  recovery_code: ['otp'],
  passkey: ['hwk', 'user'],
};

/** Each method's references: a passkey is a key the user unlocked; else its first factor's, then its second step's. */
const AMR = new Map<SignInMethod, string[]>([
  ['passkey', ['hwk', 'user']],
  ...FIRST_FACTORS.map((first): [SignInMethod, string[]] => [first, FIRST_FACTOR_AMR[first]]),
  ...FIRST_FACTORS.flatMap((first) =>
    SECOND_STEPS.map((second): [SignInMethod, string[]] => [
      withSecondStep(first, second),
      [...FIRST_FACTOR_AMR[first], ...SECOND_STEP_AMR[second]],
    ]),
  ),
]);

/**
 * Why a token was refused. `expired` only for a token whose signature and claims were good:
 * a client may then refresh, which it must not do for a forgery.
 */
export type AccessTokenFailure = 'invalid' | 'expired';

export type AccessTokenCheck = { ok: true; token: VerifiedAccessToken } | { ok: false; reason: AccessTokenFailure };

/**
 * Signs a short-lived access token (EdDSA, `typ: at+jwt`) for a user's session.
 *
 * @example
 * const { accessToken, expiresAt } = await issueAccessToken(options, { userId, sessionId, role, proof }, Date.now());
 */
export async function issueAccessToken(
  options: AccessTokenOptions,
  subject: AccessTokenSubject,
  now: number,
): Promise<{ accessToken: string; expiresAt: number }> {
  const { kid, signer } = await options.keys.signingKey();
  const issuedAt = Math.floor(now / 1000);
  const expiresAtS = issuedAt + options.ttl;
  const header = { alg: ACCESS_TOKEN_ALG, kid, typ: ACCESS_TOKEN_TYP };
  const claims = {
    sid: subject.sessionId,
    role: subject.role,
    // OpenID Connect's names: seconds since the epoch, and how.
    auth_time: Math.floor(subject.proof.authTime / 1000),
    amr: AMR.get(subject.proof.method) ?? [],
    iss: options.issuer,
    aud: options.audience,
    sub: subject.userId,
    iat: issuedAt,
    exp: expiresAtS,
    jti: randomUUID(),
    ...(subject.dpopJkt === null ? {} : { cnf: { jkt: subject.dpopJkt } }),
  };
  // A compact JWS (RFC 7515) signed with node:crypto's synchronous Ed25519: the same bytes jose
  // would produce, at a fifth of WebCrypto's cost. Verification stays with jose.
  const signingInput = `${base64urlJson(header)}.${base64urlJson(claims)}`;
  const signature = sign(null, Buffer.from(signingInput), signer).toString('base64url');
  return { accessToken: `${signingInput}.${signature}`, expiresAt: expiresAtS * 1000 };
}

const base64urlJson = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Why the key that signed a token (whose signature is good) refuses it, or null when it vouches
 * for it. `invalid` for a token issued after its key stopped signing everywhere (retirement, the
 * reload interval, the clock tolerance): no process of ours signed it, a thief with the retired
 * private key did. `expired` for a revoked key's token issued before that: an honest client's,
 * which refreshes onto the new key (a thief has no refresh token to do so).
 */
function keyRefusal(keys: SigningKeyRing, kid: string, iat: number): AccessTokenFailure | null {
  const standing = keys.standing(kid);
  if (standing === null) return 'invalid';
  if (iat * 1000 > standing.signedUntil + CLOCK_TOLERANCE_S * 1000) return 'invalid';
  return standing.revoked ? 'expired' : null;
}

const INVALID = { ok: false, reason: 'invalid' } as const;

/** The `cnf` claim's key thumbprint: null when the token has no `cnf`, undefined when it is malformed. */
function boundKey(cnf: unknown): string | null | undefined {
  if (cnf === undefined) return null;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const { jkt } = cnf as { jkt?: unknown };
  return typeof jkt === 'string' && jkt.length > 0 ? jkt : undefined;
}

/**
 * Verifies an access token without touching the database (keys are in memory). Pins the
 * algorithm, issuer, audience, type and required claims. A refusal is a normal result, never an
 * exception: `expired` for a genuine token past its time, `invalid` for anything else.
 *
 * @example
 * const check = await verifyAccessToken(options, bearerToken, Date.now());
 * if (!check.ok) throw unauthorized(check.reason);
 */
export async function verifyAccessToken(
  options: AccessTokenOptions,
  token: string,
  now: number,
): Promise<AccessTokenCheck> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return INVALID;
  // A hit the key no longer vouches for misses, and the full check below says why.
  const cached = options.cache?.get(token, now, (kid, iat) => keyRefusal(options.keys, kid, iat) === null);
  if (cached !== undefined) return { ok: true, token: cached };
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      async ({ kid }) => {
        const key = typeof kid === 'string' ? await options.keys.verificationKey(kid) : null;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: options.issuer,
        audience: options.audience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['sub', 'sid', 'iat', 'exp', 'jti'],
        // Also refuses an `iat` in the future, which no token of ours has.
        maxTokenAge: options.ttl + CLOCK_TOLERANCE_S,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(now),
      },
    );
    const { sub, sid, jti, exp, iat } = payload;
    const authTime = payload.auth_time ?? 0;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number' ||
      typeof iat !== 'number' ||
      typeof authTime !== 'number' ||
      typeof protectedHeader.kid !== 'string'
    ) {
      return INVALID;
    }
    // Tokens signed before roles existed carry none: they are a plain user's, for minutes at most.
    const role = payload.role ?? 'user';
    if (!isRole(role)) return INVALID;
    const dpopJkt = boundKey(payload.cnf);
    if (dpopJkt === undefined) return INVALID;
    const refusal = keyRefusal(options.keys, protectedHeader.kid, iat);
    if (refusal !== null) return { ok: false, reason: refusal };
    const verified = {
      userId: sub,
      sessionId: sid,
      role,
      tokenId: jti,
      expiresAt: exp * 1000,
      authTime: authTime * 1000,
      dpopJkt,
    };
    options.cache?.set(token, { token: verified, kid: protectedHeader.kid, exp, iat });
    return { ok: true, token: verified };
  } catch (error) {
    // jose checks the signature before the claims, so JWTExpired (`exp`, or `iat` older than
    // the lifetime) is only ever thrown for a token we signed.
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (error instanceof errors.JOSEError || error instanceof TypeError) return INVALID;
    throw error;
  }
}
