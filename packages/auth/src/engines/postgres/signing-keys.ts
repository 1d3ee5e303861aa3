import { pgSchema } from '@tessera/db';
import { eq, isNull, sql } from 'drizzle-orm';
import { awaited } from '../../store/step';
import { newestFirst, privateKeyFields, retiredBefore, signing, stillVerifying } from '../../tokens/signing-key-rules';
import type { KeySteps } from '../../tokens/steps';
import type { PgQueryable } from './engine';
import { SIGNING_KEYS_CHANNEL } from './revocation-feed';

const t = pgSchema.signingKeys;

/**
 * Serialises the key ring's writes across every instance on the database (an arbitrary, fixed
 * key: "keys" in ASCII), for the length of the transaction. Row locks cannot do it: the first
 * start of an empty database has no row to lock.
 */
const KEY_RING_LOCK_KEY = 0x6b657973;

/**
 * The signing keys' statements on PostgreSQL: the ring's lock is an advisory lock, and a change
 * is announced on {@link SIGNING_KEYS_CHANNEL}, delivered at its commit: every instance reloads
 * its keys at once (a retired or revoked key stops being trusted everywhere).
 */
export const pgKeySteps = (q: PgQueryable): KeySteps => ({
  lockRing: () => awaited(q.execute(sql`select pg_advisory_xact_lock(${KEY_RING_LOCK_KEY})`)),
  announce: () => awaited(q.execute(sql`select pg_notify(${SIGNING_KEYS_CHANNEL}, '')`)),
  verifiable: (retiredAfter) =>
    awaited(q.select().from(t).where(stillVerifying(t, retiredAfter)).orderBy(newestFirst(t))),
  privateKeys: () => awaited(q.select(privateKeyFields(t)).from(t)),
  setPrivateKey: (kid, privateJwk) => awaited(q.update(t).set({ privateJwk }).where(eq(t.kid, kid))),
  activeKey: () => awaited(q.select({ kid: t.kid }).from(t).where(signing(t)).orderBy(newestFirst(t)).limit(1)),
  retireActive: (at) => awaited(q.update(t).set({ retiredAt: at }).where(signing(t))),
  insert: (key) => awaited(q.insert(t).values(key)),
  deleteRetiredBefore: (before) => awaited(q.delete(t).where(retiredBefore(t, before))),
  revokeAll: (at) => awaited(q.update(t).set({ revokedAt: at }).where(isNull(t.revokedAt)).returning({ kid: t.kid })),
});
