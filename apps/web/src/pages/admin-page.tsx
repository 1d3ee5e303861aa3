import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { AuthCard } from '../components/auth-card';
import { ConfirmDialog } from '../components/confirm-dialog';
import { EmailAddress } from '../components/email-address';
import { FormAlert } from '../components/form-alert';
import { NextPageButton } from '../components/next-page-button';
import { formatTime } from '../lib/format-time';
import { useTRPC } from '../trpc';
import { NotFoundPage } from './not-found-page';

/** `/admin`: every account, with a way to end all of one account's sessions. Admins only. */
export function AdminPage() {
  const { user } = useAuth();
  // The server refuses anyone else (FORBIDDEN); to them the page does not exist.
  if (user?.role !== 'admin') return <NotFoundPage />;
  return <AdminUsers />;
}

function AdminUsers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useInfiniteQuery(
    trpc.admin.users.list.infiniteQueryOptions({}, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  const revoke = useMutation(
    trpc.admin.users.revokeSessions.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() }),
    }),
  );
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];
  const [confirming, setConfirming] = useState<{ userId: string; email: string; sessions: number } | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  const confirmRevoke = ({ userId, email }: { userId: string; email: string }) => {
    setConfirming(null);
    setOutcome(null);
    revoke.mutate({ userId }, { onSuccess: () => setOutcome(`Every session of ${email} was ended.`) });
  };

  return (
    <AuthCard title="Admin" subtitle="Every account, and its live sessions." footer={<Link to="/">Home</Link>}>
      {users.isError || revoke.isError ? <FormAlert message="That did not work. Please try again." /> : null}
      {outcome === null ? null : (
        <p className="notice" role="status">
          {outcome}
        </p>
      )}
      {users.isPending ? (
        <p className="loading" aria-busy="true">
          Loading accounts…
        </p>
      ) : (
        <ul className="session-list" aria-label="Accounts">
          {items.map((account) => (
            <li key={account.id} className="session">
              <div className="session-details">
                <p className="session-device">
                  <EmailAddress value={account.email} />
                  {account.role === 'admin' ? <span className="session-current">Admin</span> : null}
                </p>
                <p className="session-times">
                  {account.sessions === 1 ? '1 session' : `${account.sessions} sessions`} · last active{' '}
                  {account.lastActiveAt === null ? 'never' : formatTime(account.lastActiveAt)}
                </p>
              </div>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Revoke sessions of ${account.email}`}
                disabled={revoke.isPending || account.sessions === 0}
                onClick={() => setConfirming({ userId: account.id, email: account.email, sessions: account.sessions })}
              >
                Revoke sessions
              </button>
            </li>
          ))}
        </ul>
      )}
      <NextPageButton query={users}>Show more accounts</NextPageButton>
      {confirming === null ? null : (
        <ConfirmDialog
          title="End every session of this account?"
          confirmLabel="End sessions"
          onConfirm={() => confirmRevoke(confirming)}
          onCancel={() => setConfirming(null)}
        >
          {confirming.email} will be signed out on{' '}
          {confirming.sessions === 1 ? 'their one device' : `all ${confirming.sessions} devices`} at once.
        </ConfirmDialog>
      )}
    </AuthCard>
  );
}
