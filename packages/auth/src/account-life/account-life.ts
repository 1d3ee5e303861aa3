import type { NewEmailToken } from '../mailed-links/email-tokens';

/** Why a mailed link of an email change (or its undo) was refused. */
export type EmailChangeRefusal = 'unknown' | 'expired' | 'used' | 'superseded' | 'taken';

/** A link confirming a new address, as presented. */
export interface EmailChangeConfirmation {
  tokenHash: string;
  /** The session that opened the link, if the link's account is signed in there: it stays. */
  openedIn: { userId: string; sessionId: string } | null;
  /** The old address's notice, with its undo link, composed once the old address is read under the lock. */
  undoNotice(oldEmail: string, newEmail: string): Omit<NewEmailToken, 'userId'>;
}

/**
 * The sessions a rule ended, and the reason it recorded on them (`sessions.revoked_reason`): the
 * caller ends the same ones in its process's list with the same reason, read from here.
 */
export interface EndedSessions {
  sessionIds: string[];
  reason: 'email_changed' | 'email_change_undone' | 'account_deleted';
}

/** What confirming (or undoing) an email change did, or why it was refused. */
export type EmailChangeOutcome =
  | { ok: false; reason: EmailChangeRefusal }
  | {
      ok: true;
      userId: string;
      email: string;
      previousEmail: string;
      ended: EndedSessions;
      /** Whether the old address was mailed a way back (only a proved one is, and never by an undo). */
      undoSent: boolean;
    };

/** What a deletion did, or why it was refused. */
export type AccountDeletion =
  | { ok: false; reason: 'no_such_account' | 'last_admin' }
  | { ok: true; userId: string; email: string; ended: EndedSessions; goodbyeSent: boolean };
