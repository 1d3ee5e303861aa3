import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { limits } from '@tessera/contract';
import { useState } from 'react';
import { describeDevice } from '../lib/describe-device';
import { formatTime } from '../lib/format-time';
import { createPasskey, describePasskeyError, isCancelledByPage } from '../lib/passkeys';
import { usePasskeysAvailable } from '../lib/use-passkeys-available';
import { useStepUp } from '../lib/use-step-up';
import { useTRPC } from '../trpc';
import { ConfirmDialog } from './confirm-dialog';
import { LoadError } from './load-error';
import { OutcomeNotice } from './outcome-notice';

/** What a password reset just did, for the Account page it lands on. */
export interface AfterReset {
  /** Passkeys removed because the reset was the address's first proof. */
  removedPasskeys: number;
}

/** What to say after a reset: what it removed, or what to check. */
function afterResetNotice({ removedPasskeys }: AfterReset, kept: number): string | null {
  if (removedPasskeys > 0) {
    const them = removedPasskeys === 1 ? 'The passkey' : `The ${removedPasskeys} passkeys`;
    return `Your new password is set. ${them} added before you confirmed your address ${removedPasskeys === 1 ? 'was' : 'were'} removed: anyone could have added ${removedPasskeys === 1 ? 'it' : 'them'}.`;
  }
  return kept > 0 ? 'Your new password is set. Check the passkeys below: remove any you do not recognise.' : null;
}

/**
 * The Account page's passkeys: the list (name, when added, when last used), "Add a passkey",
 * and "Remove" for each, after a confirmation. Right after a password reset, it says what the
 * reset removed, or offers "Remove all passkeys".
 */
export function PasskeysSection({ afterReset = null }: { afterReset?: AfterReset | null }) {
  const passkeysOffered = usePasskeysAvailable();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const passkeys = useQuery(trpc.auth.passkeys.list.queryOptions());
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(null);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.auth.passkeys.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.auth.activity.list.queryKey() }),
    ]);
  const fail = (error: unknown) => {
    if (isCancelledByPage(error)) return;
    setProblem((last) => ({ message: describePasskeyError(error, 'add'), attempt: (last?.attempt ?? 0) + 1 }));
  };

  const registrationOptions = useMutation(trpc.auth.passkeys.registrationOptions.mutationOptions());
  const register = useMutation(trpc.auth.passkeys.register.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.auth.passkeys.remove.mutationOptions({ onSuccess: refresh }));
  const removeAll = useMutation(trpc.auth.passkeys.removeAll.mutationOptions({ onSuccess: refresh }));
  const [removingAll, setRemovingAll] = useState(false);
  const resetNotice = afterReset && passkeys.data ? afterResetNotice(afterReset, passkeys.data.length) : null;
  // From the click to the answer, the browser's prompt included: a second click would abort it.
  const [adding, setAdding] = useState(false);
  // The server wants a fresh proof first (REAUTH_REQUIRED): asked in a dialog, then the change again.
  const stepUp = useStepUp();
  /** A refused change: a fresh proof asked for, then `retry`; or the reason said. */
  const refused = (error: unknown, purpose: string, retry: () => void) => {
    if (!stepUp.refused(error, purpose, retry)) fail(error);
  };

  const add = async () => {
    setAdding(true);
    setOutcome(null);
    setProblem(null);
    try {
      const response = await createPasskey(await registrationOptions.mutateAsync());
      // Named after this browser and system, which is where the passkey is likely kept.
      const name = describeDevice(navigator.userAgent).slice(0, limits.passkeyNameMaxLength);
      const added = await register.mutateAsync({ response, name });
      setOutcome(`Passkey added: ${added.name}. You can use it to sign in.`);
    } catch (error) {
      // Asked for the options, or (the proof aging during the prompt) for the answer: prove, then again.
      refused(error, 'add a passkey', () => void add());
    } finally {
      setAdding(false);
    }
  };

  const confirmRemoveAll = () => {
    setRemovingAll(false);
    setOutcome(null);
    setProblem(null);
    removeAll.mutate(undefined, {
      onSuccess: ({ removed }) =>
        setOutcome(
          removed === 1
            ? 'Your passkey was removed. It can no longer sign in.'
            : `All ${removed} passkeys were removed. They can no longer sign in.`,
        ),
      onError: (error) => refused(error, 'remove your passkeys', confirmRemoveAll),
    });
  };

  const confirmRemove = (id: string, name: string) => {
    setRemoving(null);
    setOutcome(null);
    setProblem(null);
    remove.mutate(
      { id },
      {
        onSuccess: () => setOutcome(`${name} was removed. It can no longer sign in to your account.`),
        onError: (error) => refused(error, 'remove a passkey', () => confirmRemove(id, name)),
      },
    );
  };

  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title" className="section-title">
        Passkeys
      </h2>
      <p className="section-hint">
        Sign in with your fingerprint, face or screen lock instead of your password. A passkey works only on this site,
        so it cannot be phished.
      </p>
      {passkeysOffered === false ? (
        <p className="section-hint">This server does not take passkeys at its address.</p>
      ) : null}
      {outcome === null ? null : <OutcomeNotice message={outcome} />}
      {outcome === null && resetNotice !== null ? <OutcomeNotice message={resetNotice} /> : null}
      {passkeys.isError ? (
        <LoadError what="Your passkeys" onRetry={() => void passkeys.refetch()} />
      ) : passkeys.data === undefined ? (
        <p className="loading" aria-busy="true">
          Loading passkeys…
        </p>
      ) : passkeys.data.length === 0 ? (
        <p className="section-hint">You have no passkeys yet.</p>
      ) : (
        <ul className="session-list" aria-label="Passkeys">
          {passkeys.data.map((passkey) => (
            <li key={passkey.id} className="session">
              <div className="session-details">
                <p className="session-device">
                  {passkey.name}
                  {passkey.deviceType === 'multiDevice' ? <span className="session-current">Synced</span> : null}
                </p>
                <p className="session-times">
                  Added {formatTime(passkey.createdAt)} ·{' '}
                  {passkey.lastUsedAt === null ? 'never used' : `last used ${formatTime(passkey.lastUsedAt)}`}
                </p>
              </div>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Remove ${passkey.name}`}
                disabled={remove.isPending}
                onClick={() => setRemoving({ id: passkey.id, name: passkey.name })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="passkey-actions">
        {afterReset && (passkeys.data?.length ?? 0) > 0 ? (
          <button
            type="button"
            className="button button-danger"
            disabled={removeAll.isPending}
            onClick={() => setRemovingAll(true)}
          >
            Remove all passkeys
          </button>
        ) : null}
        {passkeysOffered === true ? (
          <button
            type="button"
            className="button button-secondary"
            disabled={adding}
            aria-busy={adding}
            onClick={() => void add()}
          >
            Add a passkey
          </button>
        ) : null}
      </div>
      {problem === null ? null : (
        <p key={problem.attempt} className="alert alert-below" role="alert">
          {problem.message}
        </p>
      )}
      {stepUp.dialog}
      {removingAll ? (
        <ConfirmDialog
          title="Remove all passkeys?"
          confirmLabel="Remove all passkeys"
          onConfirm={confirmRemoveAll}
          onCancel={() => setRemovingAll(false)}
        >
          None of them will sign in to your account any more. Your new password still will.
        </ConfirmDialog>
      ) : null}
      {removing ? (
        <ConfirmDialog
          title="Remove this passkey?"
          confirmLabel="Remove passkey"
          onConfirm={() => confirmRemove(removing.id, removing.name)}
          onCancel={() => setRemoving(null)}
        >
          {removing.name} will no longer sign in to your account. Devices already signed in stay signed in: end them on
          the Sessions page.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
