export type { UserOverview, UsersCursor } from './accounts/admin';
export {
  AUTH_EVENT_TYPES,
  type AuthEvent,
  type AuthEventType,
  RECENT_EVENTS_LIMIT,
  type SignInMethod,
} from './accounts/events';
export type { User } from './accounts/users';
export type { AccessCheck, RevocationHealth } from './capabilities/access';
export type { AccountExport } from './capabilities/account';
export type { Deleter } from './capabilities/account-deletion';
export { type Caller, needsSecondStep, type SecondStep, type Session, type SignedIn } from './capabilities/context';
export type { EmailChanged } from './capabilities/email-change';
export {
  type CreateAuthOptions,
  DEFAULT_REVOCATION_POLL_MS,
  defaultPasswordLanes,
  type PasswordLanes,
  REVOCATION_STALE_AFTER_MS,
} from './capabilities/options';
export { SOCIAL_REFUSALS, type SocialRefusal } from './capabilities/social';
export type { SecondFactorProof } from './capabilities/two-factor';
export {
  type AuthConfig,
  DPOP_POLICIES,
  type DpopPolicy,
  defaultAuthConfig,
  EMAIL_CHANGE_UNDO_TTL,
  EMAIL_VERIFICATION_TTL,
} from './config';
export { type Auth, createAuth } from './create-auth';
export { DPOP_ALGORITHMS, type DpopProofCheck } from './dpop/dpop-proof';
export { AuthError, type AuthErrorCode, BusyError, RateLimitedError } from './errors';
export { type GithubEndpoints, githubProvider } from './identities/github-provider';
export { IDENTITY_PROVIDERS, type IdentityProvider, type LinkedIdentity } from './identities/identities';
export {
  googleProvider,
  isLocalUrl,
  type OidcEndpoints,
  type OidcProviderSettings,
  oidcProvider,
} from './identities/oidc-provider';
export type { IdentityProviderClient } from './identities/providers';
export type { EmailTokenCheck, EmailTokenPurpose, NewEmailToken, NewEmailTokenFor } from './mailed-links/email-tokens';
export type { PasskeyRefusal } from './passkeys/passkey-auth';
export type { PasskeySummary, PasskeyTransport } from './passkeys/passkeys';
export { CHALLENGE_TTL_MS, DEFAULT_RP_NAME, type RelyingParty, relyingPartyFor } from './passkeys/relying-party';
export { argon2idHasher, type PasswordHasher } from './passwords/password';
export {
  DELETED_ACCOUNT_RETENTION_MS,
  ENDED_SESSION_RETENTION_MS,
  type PruneResult,
} from './revocation/housekeeping';
export {
  createPollingRevocationFeed,
  type PollingFeedOptions,
  type RevocationFeed,
  type RevocationReader,
  type RevocationSink,
} from './revocation/revocation-feed';
export { type Revocation, RevocationList } from './revocation/revocation-list';
export type { ClientInfo } from './sessions/client-info';
export { REPLACED_TOKENS_KEPT, type SessionStatus, type SessionSummary } from './sessions/sessions';
export type { BackgroundDb } from './store/background';
export type { AuthStore, SigningKeyStore, StoredSigningKey } from './store/store';
export { defaultThrottleLimits, type Limit, type ThrottleLimits } from './throttle/throttle';
export type { LaneLimits } from './throttle/work-lane';
export { ACCESS_TOKEN_TYP, CLOCK_TOLERANCE_S } from './tokens/access-token';
export { createSecretBox, generateSecretKey, keyId, type SecretBox, type SecretBoxKeys } from './tokens/secret-box';
export type { VerifiedAccessToken } from './tokens/verified-access-token';
export { RECOVERY_CODE_COUNT, RECOVERY_CODES_LOW } from './two-factor/recovery-codes';
export { PENDING_SIGN_IN_ATTEMPTS, PENDING_SIGN_IN_TTL_MS } from './two-factor/two-factor';
