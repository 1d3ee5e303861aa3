import { randomUUID } from 'node:crypto';
import { AuthError } from '../errors';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import { usersPage } from './admin';
import { RECENT_EVENTS_LIMIT, toAuthEvents } from './events';
import { eventRow, newUserRow } from './fragments';
import type { AccountSteps } from './steps';
import { toUser, type User } from './users';

/**
 * Inserts a user (the email already normalised by the caller); `AuthError('EMAIL_TAKEN')` when
 * the address has an account, or a live undo link may give it back to one.
 */
export function* insertUser(
  steps: AccountSteps,
  input: { email: string; name: string | null; passwordHash: string },
  now: number,
): Step<User> {
  const user: User = {
    id: randomUUID(),
    email: input.email,
    name: input.name,
    role: 'user',
    emailVerified: false,
    twoFactorEnabled: false,
  };
  // An address an undo link may put back is its old account's until the link expires.
  if ((yield* steps.undoHolderOf(input.email, now)) !== undefined) throw new AuthError('EMAIL_TAKEN');
  const inserted = yield* steps.insertUser(newUserRow(user, input.passwordHash, now));
  if (inserted === 0) throw new AuthError('EMAIL_TAKEN');
  return user;
}

/**
 * The store's account methods on an engine: users, the admin list and the security events.
 *
 * @example
 * const store = { ...accountOperations(sqliteEngine(db, sqliteAccountSteps(db))), ... };
 */
export function accountOperations(
  engine: Engine<AccountSteps>,
): Pick<
  AuthStore,
  | 'insertUser'
  | 'findUserByEmail'
  | 'findUserById'
  | 'findCredential'
  | 'listUsers'
  | 'recordEvent'
  | 'listRecentEvents'
> {
  return {
    insertUser: (input, now) => engine.read((steps) => insertUser(steps, input, now)),
    findUserByEmail: (email) =>
      engine.read(function* (steps) {
        const row = yield* steps.userByEmail(email);
        return row
          ? { ...toUser(row), passwordHash: row.passwordHash, credentialVersion: row.credentialVersion }
          : null;
      }),
    findUserById: (id) =>
      engine.read(function* (steps) {
        const row = yield* steps.userById(id);
        return row ? toUser(row) : null;
      }),
    findCredential: (userId) =>
      engine.read(function* (steps) {
        return (yield* steps.credential(userId)) ?? null;
      }),
    listUsers: (page, now) =>
      engine.read(function* (steps) {
        return usersPage(yield* steps.usersPage(page.after, page.limit + 1, now), page.limit);
      }),
    recordEvent: (event, now) => engine.read((steps) => steps.insertEvent(eventRow(event, now))),
    listRecentEvents: (userId, limit = RECENT_EVENTS_LIMIT) =>
      engine.read(function* (steps) {
        return toAuthEvents(yield* steps.recentEvents(userId, limit));
      }),
  };
}
