import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import {
  challengeRow,
  type NewPasskey,
  type PasskeyInsertion,
  type PasskeyRemoval,
  passkeyRow,
  toStoredChallenge,
  toStoredPasskey,
} from './passkeys';
import type { PasskeySteps } from './steps';

/**
 * Adds a passkey unless the session adding it has ended, the user holds `limit` already, or
 * its credential id is registered (to anyone). One transaction with the user's row locked: a
 * credential change that ends the session wins, and racing registrations cannot overshoot.
 */
export function* insertPasskey(
  steps: PasskeySteps,
  passkey: NewPasskey,
  limit: number,
  now: number,
  sessionId: string,
): Step<PasskeyInsertion> {
  yield* steps.lockUser(passkey.userId);
  if (!(yield* steps.liveSession({ sessionId, userId: passkey.userId }, now))) return 'session_ended';
  if ((yield* steps.countPasskeys(passkey.userId)) >= limit) return 'too_many';
  return (yield* steps.insertPasskey(passkeyRow(passkey, now))) === 1 ? 'inserted' : 'already_registered';
}

/**
 * Removes one of the user's passkeys unless it is the account's last way to sign in (no password
 * and no other passkey). One transaction with the user's row locked, so two removals cannot both
 * pass the check.
 */
export function* removePasskey(steps: PasskeySteps, input: { id: string; userId: string }): Step<PasskeyRemoval> {
  const owner = yield* steps.lockUser(input.userId);
  if (!owner || !(yield* steps.ownPasskey(input))) return 'not_found';
  const others = (yield* steps.countPasskeys(input.userId)) - 1;
  if (others === 0 && owner.passwordHash === '') return 'last_sign_in_method';
  yield* steps.deletePasskey(input);
  return 'removed';
}

/**
 * The store's passkey methods on an engine.
 *
 * @example
 * const store = { ...passkeyOperations(sqliteEngine(db, sqlitePasskeySteps(db))), ... };
 */
export function passkeyOperations(
  engine: Engine<PasskeySteps>,
): Pick<
  AuthStore,
  | 'insertPasskey'
  | 'listPasskeys'
  | 'findPasskeyByCredentialId'
  | 'recordPasskeyUse'
  | 'removePasskey'
  | 'storeChallenge'
  | 'takeChallenge'
> {
  return {
    insertPasskey: (passkey, limit, now, sessionId) =>
      engine.write((steps) => insertPasskey(steps, passkey, limit, now, sessionId)),
    removePasskey: (input) => engine.write((steps) => removePasskey(steps, input)),
    listPasskeys: (userId) =>
      engine.read(function* (steps) {
        return (yield* steps.passkeysOf(userId)).map(toStoredPasskey);
      }),
    findPasskeyByCredentialId: (credentialId) =>
      engine.read(function* (steps) {
        const row = yield* steps.passkeyByCredentialId(credentialId);
        return row ? toStoredPasskey(row) : null;
      }),
    // One conditional update: of two sign-ins racing with one counter value only one passes, and
    // a higher value written second still does.
    recordPasskeyUse: (use, now) =>
      engine.read(function* (steps) {
        return (yield* steps.advanceCounter(use, now)) === 1;
      }),
    storeChallenge: (challenge, now) => engine.read((steps) => steps.insertChallenge(challengeRow(challenge, now))),
    takeChallenge: (challengeHash) =>
      engine.read(function* (steps) {
        const row = yield* steps.takeChallenge(challengeHash);
        return row ? toStoredChallenge(row) : null;
      }),
  };
}
