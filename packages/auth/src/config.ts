/** What the core needs to know; the server fills it from its validated environment. */
export interface AuthConfig {
  /** `iss` of every access token, and the only issuer accepted. */
  issuer: string;
  /** `aud` of every access token, and the only audience accepted. */
  audience: string;
  /** Access-token lifetime, seconds. */
  accessTokenTtl: number;
  /** A session dies after this many seconds without a refresh. */
  refreshIdleTtl: number;
  /** A session dies this many seconds after sign-in, however active. */
  sessionMaxAge: number;
  /** Seconds during which a just-replaced refresh token may be presented again (two tabs, a lost response). */
  refreshReuseGrace: number;
  /** A signing key older than this many seconds is replaced by a new one. */
  signingKeyMaxAge: number;
  /** Seconds a password-reset link works (`PASSWORD_RESET_TTL`). */
  passwordResetTtl: number;
  /** Seconds a link confirming a new address works (`EMAIL_CHANGE_TTL`). */
  emailChangeTtl: number;
  /** Refuse sign-in until the address is verified (`REQUIRE_VERIFIED_EMAIL`). */
  requireVerifiedEmail: boolean;
  /** The name browsers show for this site's passkeys (`RP_NAME`); `DEFAULT_RP_NAME` when unset. */
  rpName?: string;
  /**
   * Seconds a proof of a primary credential counts as fresh (`REAUTH_MAX_AGE`): older, the
   * sensitive changes (`freshProcedure`) ask for `auth.reauthenticate` first.
   */
  reauthMaxAge: number;
  /**
   * Admins without two-step verification are refused admin procedures (`TWO_FACTOR_REQUIRED`)
   * until they set it up (`REQUIRE_2FA_FOR_ADMINS`).
   */
  requireTwoFactorForAdmins?: boolean;
  /**
   * DPoP (RFC 9449, `DPOP`): `optional` binds the sessions of clients that prove a device key
   * and leaves the others Bearer sessions; `required` refuses a sign-in or refresh without a
   * proof, and every token of a session bound to no key. Default `optional`.
   */
  dpop?: DpopPolicy;
  /** Proofs must carry a server-issued nonce (`DPOP_NONCE=on`, RFC 9449 §8). */
  dpopNonce?: boolean;
}

export const DPOP_POLICIES = ['optional', 'required'] as const;
export type DpopPolicy = (typeof DPOP_POLICIES)[number];

/** The defaults the server's environment starts from (README: environment variables). */
export const defaultAuthConfig = {
  accessTokenTtl: 300,
  refreshIdleTtl: 604_800,
  sessionMaxAge: 2_592_000,
  refreshReuseGrace: 10,
  signingKeyMaxAge: 2_592_000,
  passwordResetTtl: 1_800,
  emailChangeTtl: 3_600,
  requireVerifiedEmail: false,
  reauthMaxAge: 600,
} as const satisfies Partial<AuthConfig>;

/** Seconds an email-verification link works. */
export const EMAIL_VERIFICATION_TTL = 86_400;

/**
 * Seconds the old address's link that undoes an email change works: long enough for an owner
 * back from a week away to see the notice and take the account back.
 */
export const EMAIL_CHANGE_UNDO_TTL = 7 * 86_400;
