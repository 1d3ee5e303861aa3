import type { AppRouter } from '@tessera/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { authClient } from './auth-client';

/** `useTRPC()` gives typed query and mutation options for TanStack Query. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/**
 * The app's API client. The auth link comes first so every call waits for a refresh in flight
 * and gets one refresh-and-retry on UNAUTHORIZED; `headers` adds the Bearer token per request.
 */
export const trpcClient = createTRPCClient<AppRouter>({
  // maxItems matches the server's batch cap (MAX_BATCH_SIZE): a longer batch would be refused.
  links: [authClient.link, httpBatchLink({ url: '/trpc', headers: authClient.headers, maxItems: 10 })],
});
