export { ACCESS_TOKEN_TYP, type VerifiedAccessToken } from './access-token';
export { type AuthConfig, defaultAuthConfig } from './config';
export {
  type Auth,
  type ClientInfo,
  type CreateAuthOptions,
  createAuth,
  type Session,
  type SignedIn,
} from './create-auth';
export { AuthError, type AuthErrorCode, RateLimitedError } from './errors';
export type { SessionSummary } from './sessions';
export { defaultThrottleLimits, type Limit, type ThrottleLimits } from './throttle';
export type { User } from './users';
