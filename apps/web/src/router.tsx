import type { ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { AppLayout } from './components/app-layout';
import { LoadingScreen } from './components/loading-screen';
import { GuestOnly, Protected } from './components/route-guards';
import { ErrorPage } from './pages/error-page';
import { NotFoundPage } from './pages/not-found-page';
import { SignInPage } from './pages/sign-in-page';
import { SignUpPage } from './pages/sign-up-page';

/**
 * A signed-in page, loaded on first visit with what signed-in pages read data through: the
 * sign-in page's bundle carries none of it (TanStack Query, tRPC's React bindings, the Sessions
 * page's user-agent parser, the notes, the admin list). The router keeps the current page on
 * screen while the chunks arrive, so navigating shows no blank state.
 */
const signedInPage = (load: () => Promise<ComponentType>) => async () => {
  const [{ SignedInProviders }, Page] = await Promise.all([import('./signed-in-providers'), load()]);
  return {
    element: (
      <SignedInProviders>
        <Protected>
          <Page />
        </Protected>
      </SignedInProviders>
    ),
  };
};

/** Every page of the app. The server answers unknown paths with index.html, so these are the real routes. */
export const router = createBrowserRouter([
  {
    element: <AppLayout />,
    errorElement: <ErrorPage />,
    // What a reload of a signed-in page shows while its chunk loads: the same screen as a restore.
    hydrateFallbackElement: <LoadingScreen />,
    children: [
      { path: '/', lazy: signedInPage(() => import('./pages/home-page').then((page) => page.HomePage)) },
      { path: '/account', lazy: signedInPage(() => import('./pages/account-page').then((page) => page.AccountPage)) },
      {
        path: '/sessions',
        lazy: signedInPage(() => import('./pages/sessions-page').then((page) => page.SessionsPage)),
      },
      { path: '/admin', lazy: signedInPage(() => import('./pages/admin-page').then((page) => page.AdminPage)) },
      {
        path: '/sign-in',
        element: (
          <GuestOnly>
            <SignInPage />
          </GuestOnly>
        ),
      },
      {
        path: '/sign-up',
        element: (
          <GuestOnly>
            <SignUpPage />
          </GuestOnly>
        ),
      },
      {
        path: '/forgot-password',
        lazy: async () => {
          const { ForgotPasswordPage } = await import('./pages/forgot-password-page');
          return {
            element: (
              <GuestOnly>
                <ForgotPasswordPage />
              </GuestOnly>
            ),
          };
        },
      },
      // Opened from mailed links, signed in or not.
      {
        path: '/reset-password',
        lazy: async () => ({ Component: (await import('./pages/reset-password-page')).ResetPasswordPage }),
      },
      {
        path: '/verify-email',
        lazy: async () => ({ Component: (await import('./pages/verify-email-page')).VerifyEmailPage }),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
