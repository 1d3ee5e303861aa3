import { TRPC_PATH } from '@tessera/contract';
import { mountAuthRouter } from './routers/auth';
import { router } from './trpc';

/** The auth router alone, mounted at `auth` as every app mounts it: all the auth client calls. */
const authOnly = router(mountAuthRouter({ prefix: TRPC_PATH }));

/**
 * The router type `@tessera/auth-client` is written against. An app's own router mounts the auth
 * router at `auth` beside its features, so a client of the app's router accepts the auth
 * client's link, and the auth client never depends on the app's features.
 *
 * @example
 * const api = createTRPCClient<AuthClientRouter>({ links: [httpLink({ url: '/trpc' })] });
 */
export type AuthClientRouter = typeof authOnly;
