import { and, asc, type Column, eq } from 'drizzle-orm';

/**
 * The identity statements' conditions that are the same on every engine, written once as
 * functions of the columns (each engine passes its own tables).
 */
type Has<K extends string> = Record<K, Column>;

/** The identity a provider's subject names. */
export const identityOfSubject = (t: Has<'provider' | 'subject'>, provider: string, subject: string) =>
  and(eq(t.provider, provider), eq(t.subject, subject));

/** The identity, if it is the user's. */
export const ownIdentity = (t: Has<'id' | 'userId'>, identity: { id: string; userId: string }) =>
  and(eq(t.id, identity.id), eq(t.userId, identity.userId));

/** The order the Account page lists them in: oldest first. */
export const oldestIdentitiesFirst = (t: Has<'createdAt' | 'id'>) => [asc(t.createdAt), asc(t.id)];
