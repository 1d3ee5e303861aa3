export { AUTH_EXEMPT_PATHS, type AuthLinkOptions, createAuthLink } from './auth-link';
export { type AuthClient, type AuthClientOptions, createAuthClient } from './create-auth-client';
export { getErrorCode, getHttpStatus, isCredentialError, isTransientError } from './errors';
export type { AuthState, AuthStatus, Session, SignInInput, SignUpInput, User } from './types';
