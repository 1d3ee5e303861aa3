import type { AuthClientRouter } from '@tessera/api';
import type { Session, User } from '@tessera/contract';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { SessionEndReason } from './errors';

type Inputs = inferRouterInputs<AuthClientRouter>;
type Outputs = inferRouterOutputs<AuthClientRouter>;

/**
 * What every successful sign-in, sign-up and refresh answers with (`@tessera/contract`); the
 * server's router returns exactly this type (types.types.test.ts keeps it true).
 *
 * @example
 * const session: Session = await auth.signIn({ email, password });
 * session.user.email;
 */
export type { Session, User };

/**
 * What `auth.login` (and a password reset) answers an account with two-step verification: no
 * session yet, a handle for the second step (`completeSignIn`), good for five minutes, this
 * browser only.
 *
 * @example
 * const result = await auth.signIn(credentials);
 * if (needsSecondStep(result)) showCodeField(result.pendingSignIn);
 */
export interface SecondStep {
  secondFactorRequired: true;
  pendingSignIn: string;
}

/**
 * The second step of a sign-in: the pending sign-in, with a code from the authenticator app, a
 * recovery code, or a passkey (through `ceremony`, as `signInWithPasskey` does). After a
 * provider's sign-in (`/sign-in?second_step=<provider>`) leave `pendingSignIn` out: the server
 * left it in an HttpOnly cookie.
 *
 * @example
 * await auth.completeSignIn({ pendingSignIn, code: '123456' } satisfies SecondStepInput);
 */
export type SecondStepInput = { pendingSignIn?: string } & (
  | { code: string }
  | { recoveryCode: string }
  | { ceremony: PasskeyCeremony }
);

/**
 * An outside provider the server offers, for its "Continue with <name>" button.
 *
 * @example
 * const options: IdentityProviderOption[] = await auth.identityProviders(); // [{ provider: 'oidc', name: 'Example ID' }]
 */
export type IdentityProviderOption = Outputs['auth']['social']['providers'][number];

/**
 * Credentials for `auth.login`.
 *
 * @example
 * await auth.signIn({ email: 'ada@example.com', password: 'correct horse' } satisfies SignInInput);
 */
export type SignInInput = Inputs['auth']['login'];

/**
 * Details for `auth.register` (`name` is optional).
 *
 * @example
 * await auth.signUp({ email: 'ada@example.com', password: 'correct horse', name: 'Ada' } satisfies SignUpInput);
 */
export type SignUpInput = Inputs['auth']['register'];

/**
 * The current and the new password for `auth.changePassword`.
 *
 * @example
 * await auth.changePassword({ currentPassword: 'old one', newPassword: 'a new one' } satisfies ChangePasswordInput);
 */
export type ChangePasswordInput = Inputs['auth']['changePassword'];

/**
 * `loading` until the first restore answers, so a reload never flashes the sign-in page.
 *
 * @example
 * if (auth.getState().status === 'authenticated') showHome();
 */
export type AuthStatus = 'loading' | 'authenticated' | 'anonymous';

/**
 * An immutable snapshot: a new object on every change, the same object otherwise,
 * which is what `useSyncExternalStore` needs. When signed out, `endedBecause` says why the
 * session ended if the user should be told (revoked from another device, reuse detected,
 * expired); it is null after a plain sign-out or when there never was a session.
 *
 * @example
 * const { status, session } = auth.getState();
 */
export type AuthState =
  | { readonly status: 'loading'; readonly session: null }
  | { readonly status: 'anonymous'; readonly session: null; readonly endedBecause: SessionEndReason | null }
  | { readonly status: 'authenticated'; readonly session: Session };

/**
 * A reset link's token and the new password for `auth.password.reset`.
 *
 * @example
 * await auth.resetPassword({ token, newPassword: 'a new one' } satisfies ResetPasswordInput);
 */
export type ResetPasswordInput = Inputs['auth']['password']['reset'];

/**
 * The challenge `auth.passkeys.authenticationOptions` hands out (WebAuthn's
 * PublicKeyCredentialRequestOptionsJSON): what the browser's passkey prompt needs.
 */
export type PasskeyRequestOptions = Outputs['auth']['passkeys']['authenticationOptions'];

/** The browser's signed answer to it, for `auth.passkeys.authenticate` (AuthenticationResponseJSON). */
export type PasskeyAssertion = Inputs['auth']['passkeys']['authenticate']['response'];

/**
 * Gets the browser's answer to a passkey challenge, e.g. with `@simplewebauthn/browser`:
 * `(optionsJSON) => startAuthentication({ optionsJSON })`. The auth client itself holds no
 * WebAuthn code, so apps without passkeys carry none.
 */
export type PasskeyCeremony = (options: PasskeyRequestOptions) => Promise<PasskeyAssertion>;
