import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { describeAuthError } from '../lib/describe-auth-error';
import { describeProviderError } from '../lib/describe-provider-error';
import { formatTime } from '../lib/format-time';
import { useStepUp } from '../lib/use-step-up';
import { useTRPC } from '../trpc';
import { ConfirmDialog } from './confirm-dialog';
import { LoadError } from './load-error';
import { OutcomeNotice } from './outcome-notice';

type Provider = 'github' | 'google' | 'oidc';

/**
 * The Account page's "Connected accounts": the providers linked to this account (with the
 * provider's name for the account), "Connect" for each other provider the server offers, and
 * "Disconnect" (never the account's last way in). Connecting and disconnecting ask for a fresh
 * proof first when the last one is old.
 */
export function ConnectedAccountsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const location = useLocation();
  const providers = useQuery(trpc.auth.social.providers.queryOptions());
  const identities = useQuery(trpc.auth.identities.list.queryOptions());
  const connect = useMutation(trpc.auth.identities.connect.mutationOptions());
  const disconnect = useMutation(trpc.auth.identities.disconnect.mutationOptions());
  const [outcome, setOutcome] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(() => {
    const message = describeProviderError(location.search);
    return message === null ? null : { message, attempt: 0 };
  });
  const stepUp = useStepUp();
  // Back from proving it is you through a provider (the dialog left the page to do it): said
  // once, and taken out of the address so a reload does not say it again.
  const [confirmedWith] = useState(() => new URLSearchParams(location.search).get('reauthenticated'));
  const navigate = useNavigate();
  useEffect(() => {
    if (confirmedWith !== null) void navigate(location.pathname, { replace: true });
  }, [confirmedWith, navigate, location.pathname]);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);

  if ((providers.data?.length ?? 0) === 0 && (identities.data?.length ?? 0) === 0) return null;
  const nameOf = (provider: Provider) =>
    providers.data?.find((option) => option.provider === provider)?.name ??
    { github: 'GitHub', google: 'Google', oidc: 'your identity provider' }[provider];
  const fail = (error: unknown, purpose: string, retry: () => void) => {
    if (stepUp.refused(error, purpose, retry)) return;
    setProblem((last) => ({
      message: describeAuthError(error, 'change-password').message,
      attempt: (last?.attempt ?? 0) + 1,
    }));
  };

  const start = async (provider: Provider) => {
    setOutcome(null);
    setProblem(null);
    try {
      const { url } = await connect.mutateAsync({ provider });
      window.location.assign(url);
    } catch (error) {
      fail(error, `connect ${nameOf(provider)}`, () => void start(provider));
    }
  };
  const remove = async (id: string, name: string) => {
    setRemoving(null);
    setOutcome(null);
    setProblem(null);
    try {
      await disconnect.mutateAsync({ id });
      await queryClient.invalidateQueries({ queryKey: trpc.auth.identities.list.queryKey() });
      setOutcome(`${name} is disconnected. It no longer signs in to your account.`);
    } catch (error) {
      fail(error, `disconnect ${name}`, () => void remove(id, name));
    }
  };
  const linked = new Set(identities.data?.map((identity) => identity.provider));

  return (
    <section aria-labelledby="connected-accounts-title">
      <h2 id="connected-accounts-title" className="section-title">
        Connected accounts
      </h2>
      <p className="section-hint">Sign in with an account you already have elsewhere.</p>
      {outcome === null ? null : <OutcomeNotice message={outcome} />}
      {confirmedWith === 'github' || confirmedWith === 'google' || confirmedWith === 'oidc' ? (
        <OutcomeNotice
          message={`Confirmed with ${nameOf(confirmedWith)}. For the next few minutes, changes that ask you to confirm it is you go through.`}
        />
      ) : null}
      {identities.isError ? (
        <LoadError what="Your connected accounts" onRetry={() => void identities.refetch()} />
      ) : identities.data === undefined ? (
        <p className="loading" aria-busy="true">
          Loading…
        </p>
      ) : identities.data.length === 0 ? (
        <p className="section-hint">None yet.</p>
      ) : (
        <ul className="session-list" aria-label="Connected accounts">
          {identities.data.map((identity) => (
            <li key={identity.id} className="session">
              <div className="session-details">
                <p className="session-device">
                  {nameOf(identity.provider)} · {identity.displayName}
                </p>
                <p className="session-times">Connected {formatTime(identity.createdAt)}</p>
              </div>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Disconnect ${nameOf(identity.provider)}`}
                disabled={disconnect.isPending}
                onClick={() => setRemoving({ id: identity.id, name: nameOf(identity.provider) })}
              >
                Disconnect
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="passkey-actions">
        {(providers.data ?? [])
          .filter((option) => !linked.has(option.provider))
          .map((option) => (
            <button
              key={option.provider}
              type="button"
              className="button button-secondary"
              disabled={connect.isPending}
              onClick={() => void start(option.provider)}
            >
              Connect {option.name}
            </button>
          ))}
      </div>
      {problem === null ? null : (
        <p key={problem.attempt} className="alert alert-below" role="alert">
          {problem.message}
        </p>
      )}
      {stepUp.dialog}
      {removing === null ? null : (
        <ConfirmDialog
          title={`Disconnect ${removing.name}?`}
          confirmLabel="Disconnect"
          onConfirm={() => void remove(removing.id, removing.name)}
          onCancel={() => setRemoving(null)}
        >
          {removing.name} will no longer sign in to your account. Devices already signed in stay signed in: end them on
          the Sessions page.
        </ConfirmDialog>
      )}
    </section>
  );
}
