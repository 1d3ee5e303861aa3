import { type ComponentType, type ReactNode, Suspense, use, useEffect, useState } from 'react';
import { matchRoutes, type RouteObject, useLocation, useRoutes } from 'react-router';
import { ErrorBoundary } from './components/error-boundary';
import { GuestLayout } from './components/guest-layout';
import { LoadingScreen } from './components/loading-screen';
import { GuestOnly, Protected } from './components/route-guards';
import { ErrorPage } from './pages/error-page';
import { ForgotPasswordPage } from './pages/forgot-password-page';
import { NotFoundPage } from './pages/not-found-page';
import { SignInPage } from './pages/sign-in-page';
import { SignUpPage } from './pages/sign-up-page';

/** A page from chunks of its own, loaded once: by `preload`, or when it first renders. */
interface LazyPage {
  preload(): Promise<ReactNode>;
  /** Its element, once loaded. */
  loaded?: { element: ReactNode };
}

function lazyPage(load: () => Promise<ReactNode>): LazyPage {
  let loading: Promise<ReactNode> | undefined;
  const page: LazyPage = {
    preload: () =>
      (loading ??= load().then((element) => {
        page.loaded = { element };
        return element;
      })),
  };
  return page;
}

/**
 * A lazy page, suspending until it is loaded. Navigations run as React transitions
 * (`BrowserRouter`), so meanwhile the current page stays on screen.
 */
function LazyPageView({ page }: { page: LazyPage }) {
  return page.loaded === undefined ? use(page.preload()) : page.loaded.element;
}

/**
 * A signed-in page, loaded with what signed-in pages read data through and the app shell around
 * them: the sign-in page's bundle carries none of it (TanStack Query, tRPC's React bindings, the
 * header and its menu, the Sessions page's user-agent parser, the notes, the admin list).
 */
const signedInPage = (load: () => Promise<ComponentType>) =>
  lazyPage(async () => {
    const [{ SignedInProviders, SignedInLayout }, Page] = await Promise.all([import('./signed-in-providers'), load()]);
    return (
      <SignedInProviders>
        <Protected>
          <SignedInLayout>
            <Page />
          </SignedInLayout>
        </Protected>
      </SignedInProviders>
    );
  });

/** A page of the mailed links' one chunk (see `pages/mailed-link-pages.ts`). */
const mailedLinkPage = (name: keyof typeof import('./pages/mailed-link-pages')) =>
  lazyPage(async () => {
    const Page = (await import('./pages/mailed-link-pages'))[name];
    return <Page />;
  });

/** The pages opened from mailed links, signed in or not. */
const mailedLinkPages: Record<string, LazyPage> = {
  '/reset-password': mailedLinkPage('ResetPasswordPage'),
  '/verify-email': mailedLinkPage('VerifyEmailPage'),
  '/confirm-email-change': mailedLinkPage('ConfirmEmailChangePage'),
  '/undo-email-change': mailedLinkPage('UndoEmailChangePage'),
};

/** A route whose page loads on first visit; `handle` keeps the load, for the first page (below). */
const lazyRoute = (path: string, page: LazyPage): RouteObject => ({
  path,
  element: <LazyPageView page={page} />,
  handle: page,
});

/** Every page of the app. The server answers unknown paths with index.html, so these are the real routes. */
const routes: RouteObject[] = [
  // The signed-in pages, each inside the app shell (header, navigation, the way out).
  lazyRoute(
    '/',
    signedInPage(() => import('./pages/home-page').then((page) => page.HomePage)),
  ),
  lazyRoute(
    '/account',
    signedInPage(() => import('./pages/account-page').then((page) => page.AccountPage)),
  ),
  lazyRoute(
    '/sessions',
    signedInPage(() => import('./pages/sessions-page').then((page) => page.SessionsPage)),
  ),
  lazyRoute(
    '/admin',
    signedInPage(() => import('./pages/admin-page').then((page) => page.AdminPage)),
  ),
  {
    element: <GuestLayout />,
    children: [
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
      ...Object.entries(mailedLinkPages).map(([path, page]) => lazyRoute(path, page)),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

/**
 * The chunks of the page the app opens at start loading with the entry, alongside the session
 * restore; until they are in, the loading screen shows, as it does during a restore. (Not a
 * Suspense fallback: React holds back what replaces one for up to 300 ms.)
 */
const firstPageLoad = matchRoutes(routes, window.location)
  ?.map((match) => match.route.handle as LazyPage | undefined)
  .find((page) => page !== undefined)
  ?.preload();

function useFirstPageLoaded(): boolean {
  const [loaded, setLoaded] = useState(firstPageLoad === undefined);
  useEffect(() => {
    const settle = () => setLoaded(true);
    // A failed load settles too: the page then throws, and the error page shows.
    firstPageLoad?.then(settle, settle);
  }, []);
  return loaded;
}

/**
 * The page at the current address, inside the app's frame. When rendering throws, the error page
 * replaces the whole screen until the user goes elsewhere.
 */
export function AppRoutes() {
  const location = useLocation();
  const page = useRoutes(routes);
  const firstPageLoaded = useFirstPageLoaded();
  return (
    <ErrorBoundary fallback={<ErrorPage />} resetKey={location}>
      {firstPageLoaded ? <Suspense fallback={<LoadingScreen />}>{page}</Suspense> : <LoadingScreen />}
    </ErrorBoundary>
  );
}
