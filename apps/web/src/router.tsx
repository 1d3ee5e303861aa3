import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';
import { type RouteObject, useLocation, useRoutes } from 'react-router';
import { AppLayout } from './components/app-layout';
import { ErrorBoundary } from './components/error-boundary';
import { LoadingScreen } from './components/loading-screen';
import { GuestOnly, Protected } from './components/route-guards';
import { ErrorPage } from './pages/error-page';
import { ForgotPasswordPage } from './pages/forgot-password-page';
import { NotFoundPage } from './pages/not-found-page';
import { SignInPage } from './pages/sign-in-page';
import { SignUpPage } from './pages/sign-up-page';

/**
 * A route's element from chunks of its own, loaded the first time the route shows. Navigations
 * run as React transitions (`BrowserRouter`), so the current page stays on screen while the
 * chunks arrive; only a first load shows the `Suspense` fallback below.
 */
function lazyElement(load: () => Promise<ReactNode>): ReactNode {
  const Loaded = lazy(async () => {
    const element = await load();
    return { default: () => element };
  });
  return <Loaded />;
}

/**
 * A signed-in page, loaded with what signed-in pages read data through: the sign-in page's
 * bundle carries none of it (TanStack Query, tRPC's React bindings, the Sessions page's
 * user-agent parser, the notes, the admin list).
 */
const signedInPage = (load: () => Promise<ComponentType>) =>
  lazyElement(async () => {
    const [{ SignedInProviders }, Page] = await Promise.all([import('./signed-in-providers'), load()]);
    return (
      <SignedInProviders>
        <Protected>
          <Page />
        </Protected>
      </SignedInProviders>
    );
  });

/** Every page of the app. The server answers unknown paths with index.html, so these are the real routes. */
const routes: RouteObject[] = [
  {
    element: <AppLayout />,
    children: [
      { path: '/', element: signedInPage(() => import('./pages/home-page').then((page) => page.HomePage)) },
      {
        path: '/account',
        element: signedInPage(() => import('./pages/account-page').then((page) => page.AccountPage)),
      },
      {
        path: '/sessions',
        element: signedInPage(() => import('./pages/sessions-page').then((page) => page.SessionsPage)),
      },
      { path: '/admin', element: signedInPage(() => import('./pages/admin-page').then((page) => page.AdminPage)) },
      // The sign-in page and the two it links to are in the entry: those links switch at once.
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
        element: (
          <GuestOnly>
            <ForgotPasswordPage />
          </GuestOnly>
        ),
      },
      // Opened from mailed links, signed in or not.
      {
        path: '/reset-password',
        element: lazyElement(async () => {
          const { ResetPasswordPage } = await import('./pages/reset-password-page');
          return <ResetPasswordPage />;
        }),
      },
      {
        path: '/verify-email',
        element: lazyElement(async () => {
          const { VerifyEmailPage } = await import('./pages/verify-email-page');
          return <VerifyEmailPage />;
        }),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

/**
 * The page at the current address, inside the app's frame. When rendering throws, the error page
 * replaces the whole screen until the user goes elsewhere; while a first page's chunks load (a
 * reload of a signed-in page), the same loading screen as a session restore shows.
 */
export function AppRoutes() {
  const location = useLocation();
  const page = useRoutes(routes);
  return (
    <ErrorBoundary fallback={<ErrorPage />} resetKey={location}>
      <Suspense fallback={<LoadingScreen />}>{page}</Suspense>
    </ErrorBoundary>
  );
}
