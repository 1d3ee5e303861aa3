import { type Placeholder, sql } from 'drizzle-orm';

/**
 * Placeholders named as the keys of the object a prepared statement runs with.
 *
 * @example
 * db.update(sessions).set(touched(p.now, p.idleExpiresAt)) // with const p = placeholders('now', 'idleExpiresAt')
 */
export function placeholders<K extends string>(...keys: K[]): Record<K, Placeholder> {
  const named: Partial<Record<K, Placeholder>> = {};
  for (const key of keys) named[key] = sql.placeholder(key);
  return named as Record<K, Placeholder>;
}
