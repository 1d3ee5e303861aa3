import { createAuthClient } from '@tessera/auth-client';
import { TRPC_PATH } from '@tessera/contract';

/**
 * The page's one auth client. The access token lives in its closure and nowhere else; a reload
 * gets it back through the HttpOnly refresh cookie (`AuthProvider` calls `restore()`). It also
 * keeps this tab in step with the app's other tabs (one refresh at a time, shared sign-in and
 * sign-out).
 */
export const authClient = createAuthClient({ url: TRPC_PATH });

// When Vite replaces this module in development, the old client must let go of its timer and
// its BroadcastChannel, or it would go on refreshing and answering the other tabs.
import.meta.hot?.dispose(() => authClient.dispose());
