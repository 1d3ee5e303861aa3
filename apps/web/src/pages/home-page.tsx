import { useAuth } from '@tessera/auth-react';
import { AppPage } from '../components/app-page';
import { NotesPanel } from '../components/notes-panel';

/** `/`: the signed-in user's notes. Only reachable signed in (see `Protected`). */
export function HomePage() {
  // The session carries the user: a reload costs one auth request (the refresh), not two.
  const { user } = useAuth();
  const name = user?.name ?? null;
  return (
    <AppPage title={name === null ? 'Welcome' : `Welcome, ${name}`} subtitle="You are signed in.">
      <NotesPanel />
    </AppPage>
  );
}
