import { randomUUID } from 'node:crypto';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import {
  type IdentityLink,
  type IdentityProof,
  type IdentityRemoval,
  type IdentitySignIn,
  identityRow,
  type ProvenIdentity,
  toLinkedIdentity,
} from './identities';
import type { IdentitySteps } from './steps';

/**
 * Signs in with an identity the provider just proved. A linked identity signs in its account
 * (the stamp read under the user's lock). A new one makes an account only with an address the
 * provider says is verified, and only if no account has it: an existing account is never linked
 * silently (its owner signs in and connects the provider, with a fresh proof). One transaction.
 */
export function* signInWithIdentity(steps: IdentitySteps, identity: ProvenIdentity, now: number): Step<IdentitySignIn> {
  const linked = yield* steps.identityBySubject(identity.provider, identity.subject);
  if (linked) {
    const user = yield* steps.lockUser(linked.userId);
    if (!user) return { outcome: 'no_verified_email' };
    yield* steps.touchIdentity(linked.id, now);
    return { outcome: 'signed_in', userId: linked.userId, credentialVersion: user.credentialVersion, created: false };
  }
  if (identity.email === null || !identity.emailVerified) return { outcome: 'no_verified_email' };
  if ((yield* steps.userIdByEmail(identity.email)) !== undefined) return { outcome: 'email_taken' };
  const userId = randomUUID();
  const inserted = yield* steps.insertUser({
    id: userId,
    email: identity.email,
    name: null,
    // No password: the provider (and later passkeys) are the ways in; a reset sets one.
    passwordHash: '',
    createdAt: now,
    emailVerifiedAt: now,
  });
  // Another sign-in took the address between the read and the insert.
  if (inserted === 0) return { outcome: 'email_taken' };
  if ((yield* steps.insertIdentity(identityRow(userId, identity, now))) === 0) return { outcome: 'email_taken' };
  return { outcome: 'signed_in', userId, credentialVersion: 0, created: true };
}

/**
 * Links an identity to the signed-in account that asked, only while its session is live (the user's
 * row locked, so a credential change that ends it wins). An identity linked to another account
 * stays there ('taken').
 */
export function* linkIdentity(
  steps: IdentitySteps,
  caller: { userId: string; sessionId: string },
  identity: ProvenIdentity,
  now: number,
): Step<IdentityLink> {
  yield* steps.lockUser(caller.userId);
  if (!(yield* steps.liveSession(caller, now))) return 'session_ended';
  const linked = yield* steps.identityBySubject(identity.provider, identity.subject);
  if (linked) return linked.userId === caller.userId ? 'already_linked' : 'taken';
  return (yield* steps.insertIdentity(identityRow(caller.userId, identity, now))) === 1 ? 'linked' : 'taken';
}

/**
 * A fresh proof through a provider (step-up): the identity must be linked to the signed-in
 * account, and its session live. Answers the stamp read under the user's lock, which recording
 * the proof then requires unchanged.
 */
export function* proveWithIdentity(
  steps: IdentitySteps,
  caller: { userId: string; sessionId: string },
  identity: ProvenIdentity,
  now: number,
): Step<IdentityProof> {
  const user = yield* steps.lockUser(caller.userId);
  if (!user || !(yield* steps.liveSession(caller, now))) return 'session_ended';
  const linked = yield* steps.identityBySubject(identity.provider, identity.subject);
  if (linked?.userId !== caller.userId) return 'not_linked';
  yield* steps.touchIdentity(linked.id, now);
  return { credentialVersion: user.credentialVersion };
}

/**
 * Removes a linked identity unless it is the account's last way to sign in (no password, no
 * passkey, no other identity), checked under the user's lock as for passkeys.
 */
export function* unlinkIdentity(steps: IdentitySteps, input: { id: string; userId: string }): Step<IdentityRemoval> {
  const owner = yield* steps.lockUser(input.userId);
  if (!owner) return 'not_found';
  const identities = yield* steps.identitiesOf(input.userId);
  if (!identities.some((identity) => identity.id === input.id)) return 'not_found';
  const otherWays = identities.length - 1 + (yield* steps.countPasskeys(input.userId)) + (owner.passwordHash ? 1 : 0);
  if (otherWays === 0) return 'last_sign_in_method';
  yield* steps.deleteIdentity(input);
  return 'removed';
}

/**
 * The store's identity methods on an engine.
 *
 * @example
 * const store = { ...identityOperations(sqliteEngine(db, sqliteIdentitySteps(db))), ... };
 */
export function identityOperations(
  engine: Engine<IdentitySteps>,
): Pick<
  AuthStore,
  | 'storeOAuthRequest'
  | 'takeOAuthRequest'
  | 'signInWithIdentity'
  | 'linkIdentity'
  | 'proveWithIdentity'
  | 'unlinkIdentity'
  | 'listIdentities'
> {
  return {
    storeOAuthRequest: (row) => engine.read((steps) => steps.insertRequest(row)),
    takeOAuthRequest: (stateHash) =>
      engine.read(function* (steps) {
        return (yield* steps.takeRequest(stateHash)) ?? null;
      }),
    signInWithIdentity: (identity, now) => engine.write((steps) => signInWithIdentity(steps, identity, now)),
    linkIdentity: (caller, identity, now) => engine.write((steps) => linkIdentity(steps, caller, identity, now)),
    proveWithIdentity: (caller, identity, now) =>
      engine.write((steps) => proveWithIdentity(steps, caller, identity, now)),
    unlinkIdentity: (input) => engine.write((steps) => unlinkIdentity(steps, input)),
    listIdentities: (userId) =>
      engine.read(function* (steps) {
        return (yield* steps.identitiesOf(userId)).flatMap((row) => toLinkedIdentity(row) ?? []);
      }),
  };
}
