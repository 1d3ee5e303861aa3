import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { Link } from 'react-router';
import { ActivityList } from '../components/activity-list';
import { AuthCard } from '../components/auth-card';
import { FormAlert } from '../components/form-alert';
import { LoadError } from '../components/load-error';
import { describeDevice } from '../lib/describe-device';
import { formatTime } from '../lib/format-time';
import { useTRPC } from '../trpc';

/** `/sessions`: every device signed in to this account, a way to end any of them, and recent activity. */
export function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const auth = useAuth();
  const sessions = useQuery(trpc.auth.sessions.list.queryOptions());
  const activity = useQuery(trpc.auth.activity.list.queryOptions());
  const revoke = useMutation(
    trpc.auth.sessions.revoke.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.auth.activity.list.queryKey() }),
        ]),
    }),
  );
  // Ends every session on the server, then this one in every tab here.
  const signOutEverywhere = useMutation({ mutationFn: auth.signOutEverywhere });
  const currentSessionId = sessions.data?.find((session) => session.current)?.id ?? null;

  return (
    <AuthCard title="Sessions" subtitle="Devices signed in to your account." footer={<Link to="/">Home</Link>}>
      {revoke.isError || signOutEverywhere.isError ? (
        <FormAlert message="That did not work. Please try again." />
      ) : null}
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
            return (
              <li key={session.id} className="session">
                <div className="session-details">
                  <p className="session-device">
                    {device}
                    {session.current ? <span className="session-current">This device</span> : null}
                  </p>
                  <p className="session-times">
                    Signed in {formatTime(session.createdAt)} · last active {formatTime(session.lastUsedAt)}
                  </p>
                </div>
                {session.current ? null : (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Revoke ${device}, signed in ${formatTime(session.createdAt)}`}
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ id: session.id })}
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
        onClick={() => signOutEverywhere.mutate()}
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
    </AuthCard>
  );
}
