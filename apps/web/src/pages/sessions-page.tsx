import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { ActivityList } from '../components/activity-list';
import { AppPage } from '../components/app-page';
import { ConfirmDialog } from '../components/confirm-dialog';
import { FormAlert } from '../components/form-alert';
import { LoadError } from '../components/load-error';
import { OutcomeNotice } from '../components/outcome-notice';
import { describeDevice } from '../lib/describe-device';
import { formatTime } from '../lib/format-time';
import { useTRPC } from '../trpc';

/** What the page is asking the user to confirm, if anything. */
type Confirming = { action: 'revoke'; id: string; device: string; signedIn: string } | { action: 'everywhere' } | null;

/** `/sessions`: every device signed in to this account, a way to end any of them, and recent activity. */
export function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const auth = useAuth();
  const sessions = useQuery(trpc.auth.sessions.list.queryOptions());
  const activity = useQuery(trpc.auth.activity.list.queryOptions());
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const revoke = useMutation(
    trpc.auth.sessions.revoke.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.auth.activity.list.queryKey() }),
        ]),
    }),
  );
  // Ends every session on the server, then this one in every tab here; the sign-in page says so.
  const signOutEverywhere = useMutation({ mutationFn: auth.signOutEverywhere });
  const currentSessionId = sessions.data?.find((session) => session.current)?.id ?? null;

  const confirmRevoke = (id: string, device: string, signedIn: string) => {
    setConfirming(null);
    setOutcome(null);
    revoke.mutate(
      { id },
      {
        onSuccess: () => setOutcome(`${device}, signed in ${signedIn}, was signed out.`),
      },
    );
  };

  return (
    <AppPage title="Sessions" subtitle="Devices signed in to your account.">
      {revoke.isError || signOutEverywhere.isError ? (
        <FormAlert message="That did not work. Please try again." />
      ) : null}
      {outcome === null ? null : <OutcomeNotice message={outcome} />}
      {sessions.isError ? (
        // The error replaces the loading text: never both at once.
        <LoadError what="Your sessions" onRetry={() => void sessions.refetch()} />
      ) : sessions.data === undefined ? (
        <p className="loading" aria-busy="true">
          Loading sessions…
        </p>
      ) : (
        <ul className="session-list" aria-label="Sessions">
          {sessions.data.map((session) => {
            const device = describeDevice(session.userAgent);
            const signedIn = formatTime(session.createdAt);
            return (
              <li key={session.id} className="session">
                <div className="session-details">
                  <p className="session-device">
                    {device}
                    {session.current ? <span className="session-current">This device</span> : null}
                  </p>
                  <p className="session-times">
                    Signed in {signedIn} · last active {formatTime(session.lastUsedAt)}
                  </p>
                </div>
                {session.current ? null : (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Revoke ${device}, signed in ${signedIn}`}
                    disabled={revoke.isPending}
                    onClick={() => setConfirming({ action: 'revoke', id: session.id, device, signedIn })}
                  >
                    Revoke
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <button
        type="button"
        className="button button-secondary"
        disabled={signOutEverywhere.isPending}
        onClick={() => setConfirming({ action: 'everywhere' })}
      >
        Sign out everywhere
      </button>
      <h2 className="section-title">Recent activity</h2>
      {activity.isError ? (
        <LoadError what="Recent activity" onRetry={() => void activity.refetch()} />
      ) : activity.data === undefined ? (
        <p className="loading" aria-busy="true">
          Loading activity…
        </p>
      ) : (
        <ActivityList events={activity.data} currentSessionId={currentSessionId} />
      )}
      {confirming?.action === 'revoke' ? (
        <ConfirmDialog
          title="Revoke this session?"
          confirmLabel="Revoke session"
          onConfirm={() => confirmRevoke(confirming.id, confirming.device, confirming.signedIn)}
          onCancel={() => setConfirming(null)}
        >
          {confirming.device}, signed in {confirming.signedIn}, will be signed out at once.
        </ConfirmDialog>
      ) : null}
      {confirming?.action === 'everywhere' ? (
        <ConfirmDialog
          title="Sign out everywhere?"
          confirmLabel="Sign out all devices"
          onConfirm={() => {
            setConfirming(null);
            signOutEverywhere.mutate();
          }}
          onCancel={() => setConfirming(null)}
        >
          Every device signed in to your account, this one included, will be signed out at once.
        </ConfirmDialog>
      ) : null}
    </AppPage>
  );
}
