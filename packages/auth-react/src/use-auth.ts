import type { AuthClient, AuthStatus, SessionEndReason, User } from '@tessera/auth-client';
import { useMemo, useSyncExternalStore } from 'react';
import { useAuthClient } from './auth-context';

/** What {@link useAuth} returns. */
export interface UseAuthResult {
  /** `loading` until the first restore answers; never treat it as signed out. */
  status: AuthStatus;
  /** The signed-in user, or `null`. */
  user: User | null;
  /**
   * Signed out because the session was ended elsewhere (`SESSION_REVOKED`), caught being reused
   * (`REFRESH_TOKEN_REUSED`) or ran out (`SESSION_EXPIRED`): tell the user. Otherwise `null`.
   */
  endedBecause: SessionEndReason | null;
  signIn: AuthClient['signIn'];
  completeSignIn: AuthClient['completeSignIn'];
  identityProviders: AuthClient['identityProviders'];
  passkeysAvailable: AuthClient['passkeysAvailable'];
  providerSignInUrl: AuthClient['providerSignInUrl'];
  signInWithPasskey: AuthClient['signInWithPasskey'];
  signUp: AuthClient['signUp'];
  reauthenticate: AuthClient['reauthenticate'];
  signOut: AuthClient['signOut'];
  signOutEverywhere: AuthClient['signOutEverywhere'];
  changePassword: AuthClient['changePassword'];
  setPassword: AuthClient['setPassword'];
  requestPasswordReset: AuthClient['requestPasswordReset'];
  resetPassword: AuthClient['resetPassword'];
  verifyEmail: AuthClient['verifyEmail'];
  requestEmailVerification: AuthClient['requestEmailVerification'];
}

/**
 * The current auth state, re-rendering on every change, plus the actions that change it.
 *
 * @example
 * const { status, user, signOut } = useAuth();
 * if (status === 'authenticated') return <button onClick={() => void signOut()}>Sign out</button>;
 */
export function useAuth(): UseAuthResult {
  const client = useAuthClient();
  // getState returns the same object until something changes, as useSyncExternalStore requires.
  const state = useSyncExternalStore(client.subscribe, client.getState, client.getState);

  return useMemo(
    () => ({
      status: state.status,
      user: state.session?.user ?? null,
      endedBecause: state.status === 'anonymous' ? state.endedBecause : null,
      signIn: client.signIn,
      completeSignIn: client.completeSignIn,
      identityProviders: client.identityProviders,
      passkeysAvailable: client.passkeysAvailable,
      providerSignInUrl: client.providerSignInUrl,
      signInWithPasskey: client.signInWithPasskey,
      signUp: client.signUp,
      reauthenticate: client.reauthenticate,
      signOut: client.signOut,
      signOutEverywhere: client.signOutEverywhere,
      changePassword: client.changePassword,
      setPassword: client.setPassword,
      requestPasswordReset: client.requestPasswordReset,
      resetPassword: client.resetPassword,
      verifyEmail: client.verifyEmail,
      requestEmailVerification: client.requestEmailVerification,
    }),
    [client, state],
  );
}
