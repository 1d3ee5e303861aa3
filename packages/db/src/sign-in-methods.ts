/**
 * How a user proved who they are, as sessions, pending sign-ins and the activity store it (and
 * access tokens' `amr` say it): written once here, for the schema and for the auth core.
 */

/** What proved who the user is first: the password, or an outside provider. */
export const FIRST_FACTORS = ['password', 'github', 'google', 'oidc'] as const;
export type FirstFactor = (typeof FIRST_FACTORS)[number];

/** What two-step verification's second step added: a TOTP code, a recovery code, or a passkey. */
export const SECOND_STEPS = ['totp', 'recovery_code', 'passkey'] as const;
export type SecondStepKind = (typeof SECOND_STEPS)[number];

/**
 * What a sign-in proved: a passkey alone (both factors at once: something held, unlocked by the
 * user), a first factor alone, or a first factor and a second step (`password_totp`,
 * `github_passkey`, …).
 */
export type SignInMethod = 'passkey' | FirstFactor | `${FirstFactor}_${SecondStepKind}`;

/** The method of a sign-in (or proof) in two steps. */
export function withSecondStep(first: FirstFactor, second: SecondStepKind): SignInMethod {
  return `${first}_${second}`;
}

export const SIGN_IN_METHODS: readonly [SignInMethod, ...SignInMethod[]] = [
  'passkey',
  ...FIRST_FACTORS,
  ...FIRST_FACTORS.flatMap((first) => SECOND_STEPS.map((second) => withSecondStep(first, second))),
];
