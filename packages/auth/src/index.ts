export { ACCESS_TOKEN_TYP, CLOCK_TOLERANCE_S, type VerifiedAccessToken } from './access-token';
export type { UserOverview, UsersCursor } from './admin';
export type { ClientInfo } from './client-info';
export { type AuthConfig, defaultAuthConfig, EMAIL_VERIFICATION_TTL } from './config';
export {
  type AccessCheck,
  type Auth,
  type Caller,
  type CreateAuthOptions,
  createAuth,
  DEFAULT_REVOCATION_POLL_MS,
  defaultPasswordLanes,
  type PasswordLanes,
  REVOCATION_STALE_AFTER_MS,
  type RevocationHealth,
  type Session,
  type SignedIn,
} from './create-auth';
export type { EmailTokenCheck, EmailTokenPurpose, NewEmailToken, NewEmailTokenFor } from './email-tokens';
export { AuthError, type AuthErrorCode, BusyError, RateLimitedError } from './errors';
export {
  AUTH_EVENT_TYPES,
  type AuthEvent,
  type AuthEventType,
  RECENT_EVENTS_LIMIT,
  type SignInMethod,
} from './events';
export { ENDED_SESSION_RETENTION_MS, type PruneResult } from './housekeeping';
export { type BackgroundDb, createInThreadBackground } from './in-thread-background';
export type { PasskeyRefusal } from './passkey-auth';
export type { PasskeySummary, PasskeyTransport } from './passkeys';
export { argon2idHasher, type PasswordHasher } from './password';
export { createPgBackground } from './pg-background';
export {
  createListeningRevocationFeed,
  LISTENER_APPLICATION_NAME,
  type ListeningFeedOptions,
  REVOCATION_CHANNEL,
  SIGNING_KEYS_CHANNEL,
} from './pg-revocation-feed';
export { createPgStore } from './pg-store';
export { CHALLENGE_TTL_MS, DEFAULT_RP_NAME, type RelyingParty, relyingPartyFor } from './relying-party';
export {
  createPollingRevocationFeed,
  type PollingFeedOptions,
  type RevocationFeed,
  type RevocationReader,
  type RevocationSink,
} from './revocation-feed';
export { type Revocation, RevocationList } from './revocation-list';
export { createSecretBox, generateSecretKey, keyId, type SecretBox, type SecretBoxKeys } from './secret-box';
export { REPLACED_TOKENS_KEPT, type SessionStatus, type SessionSummary } from './sessions';
export { createSqliteStore } from './sqlite-store';
export { createSqliteWorker } from './sqlite-worker';
export type { AuthStore, SigningKeyStore, StoredSigningKey } from './store';
export { defaultThrottleLimits, type Limit, type ThrottleLimits } from './throttle';
export type { User } from './users';
export type { LaneLimits } from './work-lane';
