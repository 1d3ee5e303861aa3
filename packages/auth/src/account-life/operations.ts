import { randomUUID } from 'node:crypto';
import { judgeEmailToken, type NewEmailToken } from '../mailed-links/email-tokens';
import { newTokenRow, outboxRow } from '../mailed-links/fragments';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import type { AccountDeletion, EmailChangeConfirmation, EmailChangeOutcome, EmailChangeRefusal } from './account-life';
import { type AccountLifeSteps, type AccountRow, PERSONAL_TABLES } from './steps';

/**
 * The rules of an account's life, written once for every engine, each one write transaction.
 *
 * An address moves only through a link mailed to it, and never onto an address another account
 * has or may get back (a live undo link holds it). Moving it moves the security stamp (a sign-in
 * in flight, or a pending second step, is refused), supersedes every other link the account had
 * (a reset mailed to the old address stops working), and ends every session but the one that
 * opened the link, if it was the account's.
 */
export function* confirmEmailChange(
  steps: AccountLifeSteps,
  input: EmailChangeConfirmation,
  now: number,
): Step<EmailChangeOutcome> {
  const link = yield* useAddressLink(steps, input.tokenHash, 'email_change', now);
  if (!link.ok) return link;
  const { userId, address, account } = link;
  const moved = yield* steps.sessions.moveStamp({
    userId,
    reason: 'email_changed',
    email: { address, provedAt: now },
  });
  if (moved === undefined) throw new Error('Account vanished under its lock');
  // The old address's undo links stay: they are the owner's way back if this was not them.
  yield* steps.supersedeTokensOf(userId, now, ['email_change_undo']);
  const undoSent = account.emailVerifiedAt !== null;
  if (undoSent) {
    const undo = input.undoNotice(account.email, address);
    yield* steps.links.insertToken(newTokenRow({ ...undo, userId, address: account.email }, randomUUID(), now));
    yield* steps.links.queueMail(outboxRow(undo.mail, now));
  }
  const kept = input.openedIn?.userId === userId ? input.openedIn.sessionId : null;
  const reason = 'email_changed';
  const ended =
    kept === null
      ? yield* steps.sessions.endSessionsOf(userId, now, reason)
      : yield* steps.endSessionsBut(userId, kept, now, reason);
  return {
    ok: true,
    userId,
    email: address,
    previousEmail: account.email,
    ended: { sessionIds: ended.map(({ id }) => id), reason },
    undoSent,
  };
}

/**
 * The old address's way back: it is put back (proved by this link), every session ends, and
 * whatever the person who changed it could have added goes: passkeys, two-step verification,
 * connected accounts. Every other link of the account is superseded (the new address's undo
 * links too). The password stays; the owner is told to set a new one.
 */
export function* undoEmailChange(steps: AccountLifeSteps, tokenHash: string, now: number): Step<EmailChangeOutcome> {
  const link = yield* useAddressLink(steps, tokenHash, 'email_change_undo', now);
  if (!link.ok) return link;
  const { userId, address, account } = link;
  const reason = 'email_change_undone';
  const moved = yield* steps.sessions.moveStamp({
    userId,
    reason,
    email: { address, provedAt: now },
    removeSecondFactor: true,
  });
  if (moved === undefined) throw new Error('Account vanished under its lock');
  yield* steps.sessions.deletePasskeys(userId);
  yield* steps.sessions.deleteRecoveryCodes(userId);
  yield* steps.deleteRowsOf('identities', userId);
  yield* steps.supersedeTokensOf(userId, now, []);
  const ended = yield* steps.sessions.endSessionsOf(userId, now, reason);
  return {
    ok: true,
    userId,
    email: address,
    previousEmail: account.email,
    ended: { sessionIds: ended.map(({ id }) => id), reason },
    undoSent: false,
  };
}

/**
 * Deletes an account: refused for the last admin (the admins' rows are locked first, so two
 * admins deleting each other at once queue, and the second is refused). Every personal row goes
 * ({@link PERSONAL_TABLES}), and every mail to the address or to those its links went to, sent
 * or waiting; the row is stripped
 * (`accountStripped`) and every session ends with `account_deleted`, which every instance reads
 * as it reads any ended session. A proved address gets `goodbye`, queued after the others were
 * dropped. The stripped row and its ended sessions are deleted by housekeeping a day later.
 */
export function* deleteAccount(
  steps: AccountLifeSteps,
  input: { userId: string; goodbye(email: string): NewEmailToken['mail'] },
  now: number,
): Step<AccountDeletion> {
  const admins = yield* steps.lockAdmins();
  const account = yield* steps.lockAccount(input.userId);
  if (account === undefined || account.deletedAt !== null) return { ok: false, reason: 'no_such_account' };
  if (account.role === 'admin' && admins.every((id) => id === account.id)) return { ok: false, reason: 'last_admin' };
  // Mail to the addresses its links went to (a new address's confirmation, an old one's undo)
  // goes too: read before the links are deleted.
  const mailedTo = yield* steps.addressesOfLinks(account.id);
  for (const table of PERSONAL_TABLES) yield* steps.deleteRowsOf(table, account.id);
  yield* steps.deleteMailTo([account.email, ...mailedTo]);
  yield* steps.stripAccount(account.id, now);
  const reason = 'account_deleted';
  const ended = yield* steps.sessions.endSessionsOf(account.id, now, reason);
  const goodbyeSent = account.emailVerifiedAt !== null;
  if (goodbyeSent) yield* steps.links.queueMail(outboxRow(input.goodbye(account.email), now));
  return {
    ok: true,
    userId: account.id,
    email: account.email,
    ended: { sessionIds: ended.map(({ id }) => id), reason },
    goodbyeSent,
  };
}

/**
 * Uses a link that moves an account to its address: the token and the account locked, judged,
 * the address locked and checked free (no other account has it or may get it back), the token
 * marked used. Refused as a link is, or `taken`.
 */
function* useAddressLink(
  steps: AccountLifeSteps,
  tokenHash: string,
  purpose: 'email_change' | 'email_change_undo',
  now: number,
): Step<
  { ok: false; reason: EmailChangeRefusal } | { ok: true; userId: string; address: string; account: AccountRow }
> {
  const row = yield* steps.links.lockTokenByHash(tokenHash);
  const check = judgeEmailToken(row, purpose, now);
  if (!check.ok) return check;
  const { userId, address } = check;
  const account = yield* steps.lockAccount(userId);
  if (row === undefined || address === null || account === undefined || account.deletedAt !== null) {
    return { ok: false, reason: 'unknown' };
  }
  yield* steps.lockAddress(address);
  if (yield* takenByAnother(steps, address, userId, now)) return { ok: false, reason: 'taken' };
  // The row has been locked since the read: nobody can have used or superseded it in between.
  if ((yield* steps.links.markUsed(row.id, now)) !== 1) throw new Error('Email token changed under its lock');
  return { ok: true, userId, address, account };
}

/** Whether another account has the address, or may get it back through a live undo link. */
function* takenByAnother(steps: AccountLifeSteps, address: string, userId: string, now: number): Step<boolean> {
  const owner = yield* steps.links.lockUserByEmail(address);
  if (owner !== undefined && owner.id !== userId) return true;
  const holder = yield* steps.accounts.undoHolderOf(address, now);
  return holder !== undefined && holder !== userId;
}

/**
 * The store's account-life methods on an engine.
 *
 * @example
 * const store = { ...accountLifeOperations(sqliteEngine(db, sqliteAccountLifeSteps(db))), ... };
 */
export function accountLifeOperations(
  engine: Engine<AccountLifeSteps>,
): Pick<AuthStore, 'confirmEmailChange' | 'undoEmailChange' | 'deleteAccount' | 'addressTaken'> {
  return {
    confirmEmailChange: (input, now) => engine.write((steps) => confirmEmailChange(steps, input, now)),
    undoEmailChange: (tokenHash, now) => engine.write((steps) => undoEmailChange(steps, tokenHash, now)),
    deleteAccount: (input, now) => engine.write((steps) => deleteAccount(steps, input, now)),
    addressTaken: (address, userId, now) => engine.read((steps) => takenByAnother(steps, address, userId, now)),
  };
}
