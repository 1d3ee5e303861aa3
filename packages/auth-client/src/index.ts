export { AUTH_EXEMPT_PATHS, type AuthLinkOptions, createAuthLink } from './auth-link';
export { type AuthClient, type AuthClientOptions, createAuthClient } from './create-auth-client';
export {
  type BroadcastChannelLike,
  createSingleTabCoordinator,
  createTabCoordinator,
  DEFAULT_TAB_COORDINATION_NAME,
  LOCK_HANDOFF_MS,
  type TabCoordinator,
  type TabCoordinatorOptions,
} from './cross-tab';
export {
  createIndexedDbDeviceKeys,
  DEVICE_KEY_DB,
  type DeviceKey,
  type DeviceKeyStore,
  deviceKeyAvailable,
  deviceKeySupported,
  generateDeviceKey,
} from './dpop/device-key';
export { createDpopFetch, type DpopFetch, type DpopFetchOptions } from './dpop/dpop-fetch';
export {
  createDpopProof,
  type DpopProofInput,
  type ProofKey,
  type PublicJwk,
  proofTargetUri,
  thumbprint,
} from './dpop/proof';
export {
  type FailurePolicy,
  type FailureReason,
  failurePolicy,
  getErrorCode,
  getFailureReason,
  getHttpStatus,
  getSessionEndCause,
  isCredentialError,
  isTransientError,
  type SessionEndReason,
  SignedOutError,
  sessionEndReason,
} from './errors';
export { readClaims, sessionIdOf } from './jwt-claims';
export { createLocalLockManager, type LockManagerLike } from './local-lock-manager';
export { needsSecondStep } from './second-step';
export type { TabMessage } from './tab-message';
export type {
  AuthState,
  AuthStatus,
  ChangePasswordInput,
  IdentityProviderOption,
  PasskeyAssertion,
  PasskeyCeremony,
  PasskeyRequestOptions,
  ResetPasswordInput,
  SecondStep,
  SecondStepInput,
  Session,
  SignInInput,
  SignUpInput,
  User,
} from './types';
