import { type AuthClient, createAuthClient, createSingleTabCoordinator } from '@tessera/auth-client';
import { TRPC_PATH } from '@tessera/contract';
import type { Window as HappyDomWindow } from 'happy-dom';
import { act, type ReactNode, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AuthProvider } from './auth-provider';
import { RedirectIfAuthenticated } from './redirect-if-authenticated';
import { RequireAuth } from './require-auth';
import { useAuth } from './use-auth';

// React's act() warns unless the environment says it is a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** The real server, started by the global setup (testing-server.global-setup.ts). */
const serverUrl = inject('serverUrl');

// The page is served from the server's origin, as the SPA is: happy-dom's fetch then sends and
// keeps the cookies as a browser does (HttpOnly refresh cookie hidden from script, the flag
// cookie in document.cookie), and the auth client reads the flag as it does in a browser.
(window as unknown as HappyDomWindow).happyDOM.setURL(`${serverUrl}/`);

/** An auth client as the SPA makes one, counting its refresh requests. */
function browserLike() {
  const refreshes = { count: 0 };
  const client = createAuthClient({
    url: TRPC_PATH,
    fetch: (input, init) => {
      if (String(input).includes('auth.refresh')) refreshes.count++;
      return fetch(input, init);
    },
    tabs: createSingleTabCoordinator(),
  });
  clients.push(client);
  return { client, refreshes };
}

/** Signs a fresh account up in this "browser", then forgets the client: what a reload leaves. */
async function signedUp(email: string): Promise<void> {
  const { client } = browserLike();
  await client.signUp({ email, password: 'a strong password' });
  client.dispose();
}

/**
 * Clears what script can: the flag cookie. (The HttpOnly refresh cookie of an earlier test may
 * stay; without the flag the client does not ask, which is the point of the flag.)
 */
function clearCookies(): void {
  for (const pair of document.cookie.split(';')) {
    const name = pair.split('=')[0]?.trim();
    // biome-ignore lint/suspicious/noDocumentCookie: expiring a cookie as the page's own script would.
    if (name) document.cookie = `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  }
}

const clients: AuthClient[] = [];
let container: HTMLElement;
let root: Root;
beforeEach(() => {
  clearCookies();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  for (const client of clients.splice(0)) client.dispose();
});

/** Renders, then waits (inside act) until `done` holds for the DOM. */
async function renderUntil(element: ReactNode, done: () => boolean): Promise<void> {
  await act(async () => root.render(element));
  for (let i = 0; i < 200 && !done(); i++) {
    await act(() => new Promise((resolve) => setTimeout(resolve, 25)));
  }
  expect(done()).toBe(true);
}

/** Every status a component saw, render by render. */
function StatusLog({ into }: { into: string[] }) {
  const { status, user } = useAuth();
  into.push(status);
  return <p data-testid="status">{user === null ? status : `${status}:${user.email}`}</p>;
}

/** Shows the status and why the last session ended, with a sign-out button. */
function Ended() {
  const { status, endedBecause, signOut } = useAuth();
  return (
    <button type="button" onClick={() => void signOut()}>
      {status}:{endedBecause ?? 'none'}
    </button>
  );
}

/** What a guard rendered, in order: each branch marks itself when it renders. */
function Mark({ name, into }: { name: string; into: string[] }) {
  into.push(name);
  return <span>{name}</span>;
}

const text = () => container.textContent ?? '';

describe('AuthProvider and useAuth', () => {
  it('restores a session from the cookie: loading, then authenticated, never anonymous in between', async () => {
    await signedUp('restore@example.com');
    const { client, refreshes } = browserLike();
    const seen: string[] = [];
    await renderUntil(
      <AuthProvider client={client}>
        <StatusLog into={seen} />
      </AuthProvider>,
      () => text().startsWith('authenticated'),
    );
    expect(text()).toBe('authenticated:restore@example.com');
    expect(seen[0]).toBe('loading');
    expect(seen).not.toContain('anonymous');
    expect(refreshes.count).toBe(1);
  });

  it('sends one refresh under StrictMode, whose effects run twice', async () => {
    await signedUp('strict@example.com');
    const { client, refreshes } = browserLike();
    await renderUntil(
      <StrictMode>
        <AuthProvider client={client}>
          <StatusLog into={[]} />
        </AuthProvider>
      </StrictMode>,
      () => text().startsWith('authenticated'),
    );
    expect(refreshes.count).toBe(1);
  });

  it('is anonymous at once, with no request, where the browser never signed in', async () => {
    const { client, refreshes } = browserLike();
    await renderUntil(
      <AuthProvider client={client}>
        <StatusLog into={[]} />
      </AuthProvider>,
      () => text() === 'anonymous',
    );
    expect(refreshes.count).toBe(0);
  });

  it('says why the session ended after a sign-out', async () => {
    await signedUp('ended@example.com');
    const { client } = browserLike();
    await renderUntil(
      <AuthProvider client={client}>
        <Ended />
      </AuthProvider>,
      () => text() === 'authenticated:none',
    );
    await act(async () => container.querySelector('button')?.click());
    await renderUntil(
      <AuthProvider client={client}>
        <Ended />
      </AuthProvider>,
      () => text() === 'anonymous:SIGNED_OUT',
    );
  });
});

describe('the guards', () => {
  it('RequireAuth shows the fallback while restoring, then the page, and never the signed-out branch', async () => {
    await signedUp('guard@example.com');
    const { client } = browserLike();
    const seen: string[] = [];
    await renderUntil(
      <AuthProvider client={client}>
        <RequireAuth fallback={<Mark name="fallback" into={seen} />} anonymous={<Mark name="sign-in" into={seen} />}>
          <Mark name="page" into={seen} />
        </RequireAuth>
      </AuthProvider>,
      () => text() === 'page',
    );
    expect(seen[0]).toBe('fallback');
    expect(seen).not.toContain('sign-in');
  });

  it('RequireAuth sends a signed-out visitor to the signed-out branch, never showing the page', async () => {
    const { client } = browserLike();
    const seen: string[] = [];
    await renderUntil(
      <AuthProvider client={client}>
        <RequireAuth anonymous={<Mark name="sign-in" into={seen} />}>
          <Mark name="page" into={seen} />
        </RequireAuth>
      </AuthProvider>,
      () => text() === 'sign-in',
    );
    expect(seen).not.toContain('page');
  });

  it('RedirectIfAuthenticated never flashes the sign-in form to a signed-in user', async () => {
    await signedUp('redirect@example.com');
    const { client } = browserLike();
    const seen: string[] = [];
    await renderUntil(
      <AuthProvider client={client}>
        <RedirectIfAuthenticated authenticated={<Mark name="home" into={seen} />}>
          <Mark name="sign-in form" into={seen} />
        </RedirectIfAuthenticated>
      </AuthProvider>,
      () => text() === 'home',
    );
    expect(seen).not.toContain('sign-in form');
    // The default fallback says nothing about being signed in or out, and says it is busy.
    await act(async () => root.render(null));
  });

  it('the default fallback is a neutral, busy status', async () => {
    await signedUp('fallback@example.com');
    const { client } = browserLike();
    await act(async () =>
      root.render(
        <AuthProvider client={client}>
          <RequireAuth anonymous={<span>sign-in</span>}>
            <span>page</span>
          </RequireAuth>
        </AuthProvider>,
      ),
    );
    const status = container.querySelector('[role="status"]');
    expect(status?.getAttribute('aria-busy')).toBe('true');
    expect(status?.textContent).toBe('Loading…');
  });
});
