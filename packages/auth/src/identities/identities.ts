import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** The providers Tessera signs in with; each is offered only when configured. */
export const IDENTITY_PROVIDERS = ['github', 'google', 'oidc'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/** How long a sign-in sent to a provider may take to come back. */
export const OAUTH_REQUEST_TTL_MS = 10 * 60 * 1000;

/**
 * Who the provider says the user is, once its answer is verified: its stable subject, the email
 * it asserts (and whether it says the address is verified), and a name for the Account page.
 */
export interface ProvenIdentity {
  provider: IdentityProvider;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string;
}

/** A linked identity as the Account page lists it. */
export interface LinkedIdentity {
  id: string;
  provider: IdentityProvider;
  displayName: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** An identity's row as the store reads it. */
export interface IdentityRecord {
  id: string;
  userId: string;
  provider: string;
  subject: string;
  displayName: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A new identity's row. */
export function identityRow(userId: string, identity: ProvenIdentity, now: number) {
  return {
    id: randomUUID(),
    userId,
    provider: identity.provider,
    subject: identity.subject,
    displayName: identity.displayName,
    createdAt: now,
    lastUsedAt: now,
  };
}
export type IdentityRow = ReturnType<typeof identityRow>;

/** An identity row as clients see it; null for a provider this build does not know. */
export function toLinkedIdentity(row: IdentityRecord): LinkedIdentity | null {
  const provider = IDENTITY_PROVIDERS.find((known) => known === row.provider);
  if (!provider) return null;
  return { id: row.id, provider, displayName: row.displayName, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}

/**
 * What a request sent to a provider is for: a sign-in (or sign-up), connecting the provider to the
 * signed-in account, or a fresh proof inside the session that asked (step-up).
 */
export type OAuthPurpose = 'sign_in' | 'link' | 'reauthenticate';

/** A request sent to a provider, as stored: hashes and sealed secrets only. */
export interface OAuthRequestRow {
  stateHash: string;
  provider: string;
  purpose: string;
  browserHash: string;
  secretsSealed: string;
  userId: string | null;
  sessionId: string | null;
  /** The device key that started a sign-in (DPoP), which its session will be bound to; null for none. */
  dpopJkt: string | null;
  createdAt: number;
  expiresAt: number;
}

/** The SHA-256 of a random value handed to the browser or the provider (256 bits: no stretching needed). */
export function hashOpaque(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** A value for the browser's binding cookie: 256 bits from the CSPRNG. */
export function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

/** What signing in with a proven identity came to (see `signInWithIdentity`). */
export type IdentitySignIn =
  | { outcome: 'signed_in'; userId: string; credentialVersion: number; created: boolean }
  /** A new identity whose verified address has an account: its owner must sign in and connect it. */
  | { outcome: 'email_taken' }
  /** A new identity without a verified address: it cannot claim one. */
  | { outcome: 'no_verified_email' };

/** What proving the signed-in user again through a provider came to: the stamp read, or why not. */
export type IdentityProof = { credentialVersion: number } | 'not_linked' | 'session_ended';

/** What linking an identity to a signed-in account came to. */
export type IdentityLink = 'linked' | 'already_linked' | 'taken' | 'session_ended';

/** What removing a linked identity came to. */
export type IdentityRemoval = 'removed' | 'not_found' | 'last_sign_in_method';
