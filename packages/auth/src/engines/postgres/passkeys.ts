import { pgSchema, type TesseraPgDb } from '@tessera/db';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import {
  counterMovesForward,
  type NewPasskey,
  type PasskeyInsertion,
  type PasskeyRemoval,
  passkeyRow,
  type StoredChallenge,
  type StoredPasskey,
  toStoredChallenge,
  toStoredPasskey,
} from '../../passkeys/passkeys';

import { liveSessionOfPg } from './sessions';

const { passkeys, users, sessions, webauthnChallenges } = pgSchema;

/** Passkeys and their challenges on PostgreSQL: the same operations and rules as passkeys.ts on SQLite. */

/** See `insertPasskey` (SQLite): the user's row is locked while the count is taken and the row added. */
export function insertPasskeyPg(
  db: TesseraPgDb,
  passkey: NewPasskey,
  limit: number,
  now: number,
  sessionId: string,
): Promise<PasskeyInsertion> {
  return db.transaction(async (tx): Promise<PasskeyInsertion> => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, passkey.userId)).for('update');
    // The user's row is locked, as a credential change locks it: one that ended the adding session wins.
    const [live] = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(liveSessionOfPg({ sessionId, userId: passkey.userId }, now));
    if (!live) return 'session_ended';
    const [held] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, passkey.userId));
    if ((held?.n ?? 0) >= limit) return 'too_many';
    const inserted = await tx.insert(passkeys).values(passkeyRow(passkey, now)).onConflictDoNothing();
    return inserted.rowCount === 1 ? 'inserted' : 'already_registered';
  });
}

export async function listPasskeysPg(db: TesseraPgDb, userId: string): Promise<StoredPasskey[]> {
  const rows = await db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  return rows.map(toStoredPasskey);
}

export async function findPasskeyByCredentialIdPg(
  db: TesseraPgDb,
  credentialId: string,
): Promise<StoredPasskey | null> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId));
  return row ? toStoredPasskey(row) : null;
}

/** See `recordPasskeyUse` (SQLite). */
export async function recordPasskeyUsePg(
  db: TesseraPgDb,
  use: { id: string; counter: number },
  now: number,
): Promise<boolean> {
  const updated = await db
    .update(passkeys)
    .set({ counter: use.counter, lastUsedAt: now })
    .where(and(eq(passkeys.id, use.id), counterMovesForward(passkeys.counter, use.counter)));
  return updated.rowCount === 1;
}

/** See `removePasskey` (SQLite): the user's row is locked, so two removals cannot both pass the check. */
export function removePasskeyPg(db: TesseraPgDb, input: { id: string; userId: string }): Promise<PasskeyRemoval> {
  return db.transaction(async (tx): Promise<PasskeyRemoval> => {
    const [owner] = await tx
      .select({ hasPassword: sql<boolean>`${users.passwordHash} <> ''` })
      .from(users)
      .where(eq(users.id, input.userId))
      .for('update');
    const mine = and(eq(passkeys.id, input.id), eq(passkeys.userId, input.userId));
    const [found] = await tx.select({ id: passkeys.id }).from(passkeys).where(mine);
    if (!owner || !found) return 'not_found';
    const [all] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, input.userId));
    if ((all?.n ?? 1) - 1 === 0 && !owner.hasPassword) return 'last_sign_in_method';
    await tx.delete(passkeys).where(mine);
    return 'removed';
  });
}

export async function storeChallengePg(db: TesseraPgDb, challenge: StoredChallenge, now: number): Promise<void> {
  await db.insert(webauthnChallenges).values({ ...challenge, createdAt: now });
}

/** See `takeChallenge` (SQLite): one DELETE … RETURNING, so one request gets the row. */
export async function takeChallengePg(db: TesseraPgDb, challengeHash: string): Promise<StoredChallenge | null> {
  const [row] = await db
    .delete(webauthnChallenges)
    .where(eq(webauthnChallenges.challengeHash, challengeHash))
    .returning();
  return row ? toStoredChallenge(row) : null;
}
