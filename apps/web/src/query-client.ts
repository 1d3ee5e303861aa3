import { QueryClient } from '@tanstack/react-query';
import { type AuthClient, isTransientError } from '@tessera/auth-client';

/**
 * TanStack Query's client. Only failures that may go away (network, 5xx) are retried: retrying
 * an UNAUTHORIZED or BAD_REQUEST just repeats the answer, and the auth link already did the one
 * retry that can help.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => failureCount < 2 && isTransientError(error),
        staleTime: 30_000,
      },
    },
  });
}

/**
 * Drops every cached answer when the user signs out, so the next person at this browser never
 * sees the previous user's data, not even for a frame.
 *
 * @example
 * const stop = clearQueriesOnSignOut(queryClient, authClient);
 */
export function clearQueriesOnSignOut(queryClient: QueryClient, auth: AuthClient): () => void {
  return auth.subscribe(() => {
    if (auth.getState().status === 'anonymous') queryClient.clear();
  });
}
