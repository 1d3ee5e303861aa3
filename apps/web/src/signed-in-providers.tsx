import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { authClient } from './auth-client';
import { loadSignInReasons } from './lib/use-sign-in-reasons';
import { clearQueriesOnSignOut, createQueryClient } from './query-client';
import { TRPCProvider, trpcClient } from './trpc';

// One cache for every signed-in page, made when the first of them loads: the sign-in page needs
// neither TanStack Query nor tRPC's React bindings, so they load with the signed-in pages.
const queryClient = createQueryClient();
clearQueriesOnSignOut(queryClient, authClient);
// A session ends on a signed-in page: the sign-in page it leads to then says why at once. (A
// failed load is asked for again when the sign-in page needs it.)
loadSignInReasons().catch(() => undefined);

/**
 * What the signed-in pages read data through: TanStack Query and tRPC's bindings to it.
 *
 * @example
 * <SignedInProviders><HomePage /></SignedInProviders>
 */
export function SignedInProviders({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

// The app shell loads with the signed-in pages' chunk (router.tsx imports it from here).
export { SignedInLayout } from './components/signed-in-layout';
