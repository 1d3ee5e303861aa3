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
export { getErrorCode, getHttpStatus, isCredentialError, isTransientError, SignedOutError } from './errors';
export { createLocalLockManager, type LockManagerLike } from './local-lock-manager';
export type { TabMessage } from './tab-message';
export type { AuthState, AuthStatus, ChangePasswordInput, Session, SignInInput, SignUpInput, User } from './types';
