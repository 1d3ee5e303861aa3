import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { getFailureReason } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { AppPage } from '../components/app-page';
import { ConfirmDialog } from '../components/confirm-dialog';
import { DeleteUserButton } from '../components/delete-user-button';
import { EmailAddress } from '../components/email-address';
import { FormAlert } from '../components/form-alert';
import { NextPageButton } from '../components/next-page-button';
import { OutcomeNotice } from '../components/outcome-notice';
import { ReauthDialog } from '../components/reauth-dialog';
import { formatTime } from '../lib/format-time';
import { useTRPC } from '../trpc';
import { NotFoundPage } from './not-found-page';

/**
 * `/admin`: every account (with whether it has two-step verification), with a way to end all of
 * one account's sessions, to reset its second factor, and to delete it. Admins only.
 */
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
  const resetTwoFactor = useMutation(
    trpc.admin.users.resetTwoFactor.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() }),
    }),
  );
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];
  const [confirming, setConfirming] = useState<{ userId: string; email: string; sessions: number } | null>(null);
  const [resetting, setResetting] = useState<{ userId: string; email: string } | null>(null);
  const [proving, setProving] = useState<{ userId: string; email: string } | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [resetProblem, setResetProblem] = useState<string | null>(null);
  // Keyed by attempt, so the same refusal twice is announced twice.
  const [deleteProblem, setDeleteProblem] = useState<{ message: string; attempt: number } | null>(null);

  const confirmReset = (account: { userId: string; email: string }) => {
    setResetting(null);
    setOutcome(null);
    setResetProblem(null);
    resetTwoFactor.mutate(
      { userId: account.userId },
      {
        onSuccess: () =>
          setOutcome(
            `Two-step verification of ${account.email} is off, every session of theirs ended, and they were told by mail.`,
          ),
        onError: (error) =>
          getFailureReason(error) === 'REAUTH_REQUIRED'
            ? setProving(account)
            : setResetProblem('That did not work. Please try again.'),
      },
    );
  };

  if (getFailureReason(users.error) === 'TWO_FACTOR_REQUIRED') {
    return (
      <AppPage title="Admin">
        <p className="notice" role="status">
          Admins must use two-step verification here. <Link to="/account">Set it up on your Account page</Link>, then
          come back.
        </p>
      </AppPage>
    );
  }

  const confirmRevoke = ({ userId, email }: { userId: string; email: string }) => {
    setConfirming(null);
    setOutcome(null);
    revoke.mutate({ userId }, { onSuccess: () => setOutcome(`Every session of ${email} was ended.`) });
  };

  return (
    <AppPage title="Admin" subtitle="Every account, and its live sessions.">
      {users.isError || revoke.isError ? <FormAlert message="That did not work. Please try again." /> : null}
      {resetProblem === null ? null : <FormAlert message={resetProblem} />}
      {deleteProblem === null ? null : <FormAlert key={deleteProblem.attempt} message={deleteProblem.message} />}
      {/* Focused: the button that did it may be gone with its row. */}
      {outcome === null ? null : <OutcomeNotice message={outcome} />}
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
                  {account.twoFactorEnabled ? <span className="session-current">2-step on</span> : null}
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
              {account.twoFactorEnabled ? (
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={`Reset two-step verification of ${account.email}`}
                  disabled={resetTwoFactor.isPending}
                  onClick={() => setResetting({ userId: account.id, email: account.email })}
                >
                  Reset 2-step
                </button>
              ) : null}
              <DeleteUserButton
                account={account}
                onDeleted={(email) => {
                  setOutcome(`${email} was deleted, with everything in it.`);
                  setDeleteProblem(null);
                  void queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
                }}
                onRefused={(message) => {
                  setOutcome(null);
                  setDeleteProblem((last) => ({ message, attempt: (last?.attempt ?? 0) + 1 }));
                }}
              />
            </li>
          ))}
        </ul>
      )}
      <NextPageButton query={users}>Show more accounts</NextPageButton>
      {resetting === null ? null : (
        <ConfirmDialog
          title="Reset two-step verification?"
          confirmLabel="Reset"
          onConfirm={() => confirmReset(resetting)}
          onCancel={() => setResetting(null)}
        >
          Only do this after checking it is really {resetting.email} asking. Their authenticator app and recovery codes
          stop working, every session of theirs ends, and they are told by mail.
        </ConfirmDialog>
      )}
      {proving === null ? null : (
        <ReauthDialog
          purpose="reset someone's two-step verification"
          onProved={() => {
            const account = proving;
            setProving(null);
            confirmReset(account);
          }}
          onCancel={() => setProving(null)}
        />
      )}
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
    </AppPage>
  );
}
