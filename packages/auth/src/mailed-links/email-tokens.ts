/** What a mailed token is for. */
export type EmailTokenPurpose =
  | 'password_reset'
  | 'email_verification'
  /** Confirms a new address (mailed to it); `address` is the new address. */
  | 'email_change'
  /** Puts the old address back and locks the account down (mailed to it); `address` is the old address. */
  | 'email_change_undo';

/** A token about to be mailed: its hash, and the sealed message that carries it. */
export interface NewEmailToken {
  userId: string;
  purpose: EmailTokenPurpose;
  tokenHash: string;
  expiresAt: number;
  mail: { id: string; recipient: string; sealedMessage: string };
  /** For an email change and its undo: the address the token is about (`email_tokens.address`). */
  address?: string;
}

/** A token presented back: whose it is, or why it is refused. */
export type EmailTokenCheck =
  | { ok: true; userId: string; address: string | null }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'superseded' };

/** A token about to be mailed to an address, for whoever has it (a reset request names only an address). */
export type NewEmailTokenFor = Omit<NewEmailToken, 'userId'> & { email: string };

/** A token as the rules read it. */
export interface EmailTokenRow {
  id: string;
  userId: string;
  purpose: string;
  address: string | null;
  expiresAt: number;
  usedAt: number | null;
  supersededAt: number | null;
}

/** The judgement of a presented token. A token of another purpose is as unknown as none. */
export function judgeEmailToken(
  row: EmailTokenRow | undefined,
  purpose: EmailTokenPurpose,
  now: number,
): EmailTokenCheck {
  if (!row || row.purpose !== purpose) return { ok: false, reason: 'unknown' };
  if (row.usedAt !== null) return { ok: false, reason: 'used' };
  if (row.supersededAt !== null) return { ok: false, reason: 'superseded' };
  if (row.expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, userId: row.userId, address: row.address };
}
