/**
 * `@tessera/auth/postgres`: the auth store on PostgreSQL (node-postgres through Drizzle, a pool),
 * its timed work, and the LISTEN connection that pushes revocations to every instance. The only
 * door to this engine: nothing outside `engines/postgres/` imports the driver or its tables.
 */
export { createPgBackground } from './background';
export {
  createListeningRevocationFeed,
  LISTENER_APPLICATION_NAME,
  type ListeningFeedOptions,
  REVOCATION_CHANNEL,
  SIGNING_KEYS_CHANNEL,
} from './revocation-feed';
export { createPgStore } from './store';
