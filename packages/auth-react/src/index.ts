export { useAuthClient } from './auth-context';
export { AuthLoading } from './auth-loading';
export { AuthProvider, type AuthProviderProps } from './auth-provider';
export { RedirectIfAuthenticated, type RedirectIfAuthenticatedProps } from './redirect-if-authenticated';
export { RequireAuth, type RequireAuthProps } from './require-auth';
export { type UseAuthResult, useAuth } from './use-auth';
