import { randomUUID } from 'node:crypto';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { AuthStore } from '../store/store';
import {
  type EmailTokenCheck,
  type EmailTokenPurpose,
  judgeEmailToken,
  type NewEmailToken,
  type NewEmailTokenFor,
} from './email-tokens';
import { newTokenRow, outboxRow } from './fragments';
import type { MailedLinkSteps } from './steps';

/**
 * The rules of a single-use mailed token, written once for every engine.
 *
 * Issuing, in one transaction: the user's row is locked, the user's usable tokens of the purpose
 * are superseded, the new token's hash is stored, and its mail is queued. Either all of it
 * happens or none: a mail never goes out for a token that was not stored, nor a token without
 * its mail. Two issues to one user queue on the user's row, so the second supersedes the first
 * (on PostgreSQL without that lock both links worked: issue 20, finding 10).
 *
 * Using, in one transaction: the token's row is locked, judged, and marked used. A use and a
 * newer issue racing on one token queue on its row: either the use commits first (the issue then
 * finds it used and leaves it) or the supersede does (the use then finds it superseded). Never
 * both: an old link never works once a newer one has been issued, on any engine.
 *
 * @example
 * await engine.write((steps) => issueEmailToken(steps, { userId, purpose, tokenHash, expiresAt, mail }, now));
 */
export function* issueEmailToken(steps: MailedLinkSteps, token: NewEmailToken, now: number): Step<void> {
  yield* steps.lockUser(token.userId);
  yield* supersedeAndInsert(steps, token, now);
}

/**
 * {@link issueEmailToken} for whoever has the address `token.email`, looked up (and locked) in
 * the same transaction; false (and nothing written) when nobody has it.
 */
export function* issueEmailTokenFor(
  steps: MailedLinkSteps,
  { email, ...token }: NewEmailTokenFor,
  now: number,
): Step<boolean> {
  const user = yield* steps.lockUserByEmail(email);
  if (!user) return false;
  yield* supersedeAndInsert(steps, { ...token, userId: user.id }, now);
  return true;
}

function* supersedeAndInsert(steps: MailedLinkSteps, token: NewEmailToken, now: number): Step<void> {
  yield* steps.supersedeUnused(token.userId, token.purpose, now);
  yield* steps.insertToken(newTokenRow(token, randomUUID(), now));
  yield* steps.queueMail(outboxRow(token.mail, now));
}

/** Uses a token up if it is accepted (see {@link issueEmailToken}): of two requests with one token, one wins. */
export function* useEmailToken(
  steps: MailedLinkSteps,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): Step<EmailTokenCheck> {
  const row = yield* steps.lockTokenByHash(tokenHash);
  const check = judgeEmailToken(row, purpose, now);
  if (!check.ok || !row) return check;
  // The row has been locked since the read: nobody can have used or superseded it in between.
  if ((yield* steps.markUsed(row.id, now)) !== 1) throw new Error('Email token changed under its lock');
  return check;
}

/** Whether a presented token would be accepted, without using it up. */
export function* checkEmailToken(
  steps: MailedLinkSteps,
  purpose: EmailTokenPurpose,
  tokenHash: string,
  now: number,
): Step<EmailTokenCheck> {
  return judgeEmailToken(yield* steps.tokenByHash(tokenHash), purpose, now);
}

/**
 * The store's mailed-link methods on an engine.
 *
 * @example
 * const store = { ...mailedLinkOperations(sqliteEngine(db, sqliteMailedLinkSteps(db))), ... };
 */
export function mailedLinkOperations(
  engine: Engine<MailedLinkSteps>,
): Pick<AuthStore, 'issueEmailToken' | 'checkEmailToken' | 'useEmailToken' | 'markEmailVerified' | 'queueMail'> {
  return {
    issueEmailToken: (token, now) => engine.write((steps) => issueEmailToken(steps, token, now)),
    checkEmailToken: (purpose, hash, now) => engine.read((steps) => checkEmailToken(steps, purpose, hash, now)),
    useEmailToken: (purpose, hash, now) => engine.write((steps) => useEmailToken(steps, purpose, hash, now)),
    markEmailVerified: (userId, now) => engine.read((steps) => steps.markEmailVerified(userId, now)),
    queueMail: (mail, now) => engine.read((steps) => steps.queueMail(outboxRow(mail, now))),
  };
}
