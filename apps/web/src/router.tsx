import { createBrowserRouter } from 'react-router';
import { AppLayout } from './components/app-layout';
import { GuestOnly, Protected } from './components/route-guards';
import { AccountPage } from './pages/account-page';
import { AdminPage } from './pages/admin-page';
import { ErrorPage } from './pages/error-page';
import { HomePage } from './pages/home-page';
import { NotFoundPage } from './pages/not-found-page';
import { SessionsPage } from './pages/sessions-page';
import { SignInPage } from './pages/sign-in-page';
import { SignUpPage } from './pages/sign-up-page';

/** Every page of the app. The server answers unknown paths with index.html, so these are the real routes. */
export const router = createBrowserRouter([
  {
    element: <AppLayout />,
    errorElement: <ErrorPage />,
    children: [
      {
        path: '/',
        element: (
          <Protected>
            <HomePage />
          </Protected>
        ),
      },
      {
        path: '/account',
        element: (
          <Protected>
            <AccountPage />
          </Protected>
        ),
      },
      {
        path: '/sessions',

        element: (
          <Protected>
            <SessionsPage />
          </Protected>
        ),
      },
      {
        path: '/admin',
        element: (
          <Protected>
            <AdminPage />
          </Protected>
        ),
      },
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
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
