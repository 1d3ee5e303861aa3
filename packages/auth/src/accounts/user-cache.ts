import { LRUCache } from 'lru-cache';
import type { User } from './users';

/** How long a user read by id is reused: changes made by another process show within this. */
export const USER_CACHE_TTL_MS = 1_000;

/**
 * The store's user-by-id read for the signed-in path (`auth.me`, every signed-in page), with a
 * read reused for {@link USER_CACHE_TTL_MS}. Measured in the server, the read cost ~30 µs of a
 * ~400 µs request on SQLite, the largest part of authenticating it. This process's own changes
 * call `forget`; another process's (say, `npm run user:role`, which also ends the user's
 * sessions) show within the second.
 *
 * @example
 * const userById = cachedUserById((id) => store.findUserById(id));
 * await userById.get('u1'); // { id, email, name, role } or null
 */
export function cachedUserById(read: (id: string) => Promise<User | null>) {
  const recent = new LRUCache<string, User>({ max: 10_000, ttl: USER_CACHE_TTL_MS });
  return {
    async get(id: string): Promise<User | null> {
      const hit = recent.get(id);
      if (hit !== undefined) return hit;
      const user = await read(id);
      if (user !== null) recent.set(id, user);
      return user;
    },
    /** Read now, past the cache: for a token about to be signed. */
    async fresh(id: string): Promise<User | null> {
      const user = await read(id);
      if (user === null) recent.delete(id);
      else recent.set(id, user);
      return user;
    },
    /** A user just read with something else (the rotation reads them with the session). */
    remember(user: User): void {
      recent.set(user.id, user);
    },
    forget(id: string): void {
      recent.delete(id);
    },
  };
}
