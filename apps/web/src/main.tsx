import './styles.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { AuthProvider } from '@tessera/auth-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { authClient } from './auth-client';
import { clearQueriesOnSignOut, createQueryClient } from './query-client';
import { router } from './router';
import { TRPCProvider, trpcClient } from './trpc';

const queryClient = createQueryClient();
clearQueriesOnSignOut(queryClient, authClient);

const container = document.getElementById('root');
if (container === null) throw new Error('index.html must contain <div id="root">.');

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <AuthProvider client={authClient}>
          <RouterProvider router={router} />
        </AuthProvider>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
