import { createAuthClient } from '@tessera/auth-client';

/**
 * The page's one auth client. The access token lives in its closure and nowhere else; a reload
 * gets it back through the HttpOnly refresh cookie (`AuthProvider` calls `restore()`).
 */
export const authClient = createAuthClient({ url: '/trpc' });
