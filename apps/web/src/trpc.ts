import { MAX_BATCH_SIZE, TRPC_PATH } from '@tessera/contract';
import type { AppRouter } from '@tessera/server';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { authClient } from './auth-client';

/** `useTRPC()` gives typed query and mutation options for TanStack Query. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/**
 * The app's API client. The auth link comes first so every call waits for a refresh in flight
 * and gets one refresh-and-retry on UNAUTHORIZED; `headers` adds the token per request, and
 * `fetch` adds this browser's DPoP proof (a token bound to the device key then goes as `DPoP`).
 */
export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    authClient.link,
    // The server refuses a longer batch.
    httpBatchLink({ url: TRPC_PATH, headers: authClient.headers, fetch: authClient.fetch, maxItems: MAX_BATCH_SIZE }),
  ],
});
