import { useMutation, useQuery } from '@tanstack/react-query';
import { getFailureReason } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { limits } from '@tessera/contract';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { describeAuthError } from '../lib/describe-auth-error';
import { describePasskeyError, isCancelledByPage, passkeyPrompt } from '../lib/passkeys';
import { useTRPC } from '../trpc';
import { ModalDialog } from './modal-dialog';

/** Props of {@link ReauthDialog}. */
export interface ReauthDialogProps {
  /** What the proof is for, completing "To …, confirm it is you", e.g. "add a passkey". */
  purpose: string;
  /** The proof was accepted: the access token is fresh, try the change again. */
  onProved(): void;
  /** Cancel, Escape, or the dialog closing any other way. */
  onCancel(): void;
}

/**
 * Asks the signed-in user to prove it is them again (their password, a passkey, or a connected
 * provider, which leaves the page and comes back to the Account page) when the
 * server refused a sensitive change with `REAUTH_REQUIRED`; the page then retries the change, so
 * nothing the user entered is lost. A {@link ModalDialog}; focus starts in the password field.
 * Render it only while asking.
 *
 * @example
 * {asking ? <ReauthDialog purpose="add a passkey" onProved={retry} onCancel={() => setAsking(false)} /> : null}
 */
export function ReauthDialog({ purpose, onProved, onCancel }: ReauthDialogProps) {
  const { reauthenticate, user } = useAuth();
  const passwordId = useId();
  const codeId = useId();
  const [password, setPassword] = useState('');
  // With two-step verification the password is one factor of two: a code (or a recovery code) too.
  const secondStep = user?.twoFactorEnabled === true;
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const viaProvider = useProviderProof();
  // An account a provider made may have no password: then only a passkey or the provider prove it.
  const trpc = useTRPC();
  const withPassword = useQuery(trpc.auth.password.status.queryOptions()).data?.hasPassword !== false;
  const byProvider = !secondStep && viaProvider.options.length > 0;
  // Without a password field to start in, focus goes to the first way offered (a modal must hold it).
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (withPassword) return;
    const first = form.current?.querySelector<HTMLButtonElement>(
      byProvider ? '[data-proof="provider"]' : '[data-proof="passkey"]',
    );
    first?.focus();
  }, [withPassword, byProvider]);

  const prove = async (proof: Parameters<typeof reauthenticate>[0]) => {
    setBusy(true);
    setProblem(null);
    try {
      await reauthenticate(proof);
      onProved();
    } catch (error) {
      if (!isCancelledByPage(error)) setProblem(describeReauthError(error, 'password' in proof));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!secondStep) return void prove({ password });
    if (code.trim() === '') {
      setProblem(useRecoveryCode ? 'Enter one of your recovery codes.' : 'Enter the code from your authenticator app.');
      return;
    }
    void prove(useRecoveryCode ? { password, recoveryCode: code.trim() } : { password, code: code.replace(/\s/g, '') });
  };

  return (
    <ModalDialog
      title="Confirm it is you"
      description={`To ${purpose}, ${waysToProve(withPassword, secondStep, byProvider)}. We ask when you last proved it a while ago.`}
      onCancel={onCancel}
    >
      <form ref={form} className="form" onSubmit={submit} noValidate>
        {withPassword ? (
          <div className="field">
            <label htmlFor={passwordId} className="field-label">
              Your password
            </label>
            <input
              id={passwordId}
              className="field-input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={problem !== null || undefined}
              // biome-ignore lint/a11y/noAutofocus: a modal dialog must put focus inside; the password is what it asks for.
              autoFocus
            />
          </div>
        ) : null}
        {withPassword && secondStep ? (
          <div className="field">
            <label htmlFor={codeId} className="field-label">
              {useRecoveryCode ? 'Recovery code' : 'Code from your authenticator app'}
            </label>
            <input
              id={codeId}
              className="field-input"
              type="text"
              autoComplete={useRecoveryCode ? 'off' : 'one-time-code'}
              inputMode={useRecoveryCode ? 'text' : 'numeric'}
              spellCheck={false}
              maxLength={useRecoveryCode ? limits.recoveryCodeMaxLength : limits.totpCodeLength + 2}
              value={code}
              onChange={(event) => setCode(event.target.value)}
              aria-invalid={problem !== null || undefined}
            />
            <button
              type="button"
              className="button-link"
              onClick={() => {
                setUseRecoveryCode(!useRecoveryCode);
                setCode('');
              }}
            >
              {useRecoveryCode ? 'Use a code from your app' : 'Use a recovery code'}
            </button>
          </div>
        ) : null}
        {problem === null ? null : (
          <p className="alert" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-secondary"
            data-proof="passkey"
            disabled={busy}
            onClick={() => void prove({ ceremony: passkeyPrompt({ autofill: false }) })}
          >
            Use a passkey
          </button>
          {withPassword ? (
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
              Confirm
            </button>
          ) : null}
        </div>
        {byProvider ? (
          <div className="dialog-actions">
            {viaProvider.options.map((option) => (
              <button
                key={option.provider}
                type="button"
                className="button button-secondary"
                data-proof="provider"
                disabled={busy || viaProvider.pending}
                onClick={() =>
                  void viaProvider.go(option.provider).catch((error: unknown) => {
                    setProblem(describeAuthError(error, 'sign-in').message);
                  })
                }
              >
                Confirm with {option.name}
              </button>
            ))}
          </div>
        ) : null}
      </form>
    </ModalDialog>
  );
}

/** What the dialog offers, in words: "enter your password, use a passkey, or confirm with …". */
function waysToProve(withPassword: boolean, secondStep: boolean, byProvider: boolean): string {
  if (withPassword && secondStep) return 'enter your password and a code from your authenticator app, or use a passkey';
  if (withPassword)
    return `enter your password, use a passkey${byProvider ? ', or confirm with a connected account' : ''}`;
  if (byProvider) return 'confirm with your connected account, or use a passkey';
  // No password, and a provider alone is not enough with two-step verification.
  return secondStep
    ? 'use a passkey, or sign out and sign in again with your provider and a code'
    : 'use a passkey, or sign out and sign in again';
}

/**
 * The providers connected to this account that the server offers, as ways to prove it is you (an
 * account without a password has no other, unless it has a passkey): the browser goes to the
 * provider and comes back to the Account page, the proof recorded on this session.
 */
function useProviderProof() {
  const trpc = useTRPC();
  const providers = useQuery(trpc.auth.social.providers.queryOptions());
  const identities = useQuery(trpc.auth.identities.list.queryOptions());
  const start = useMutation(trpc.auth.identities.reauthenticate.mutationOptions());
  const linked = new Set(identities.data?.map((identity) => identity.provider));
  return {
    options: (providers.data ?? []).filter((option) => linked.has(option.provider)),
    pending: start.isPending,
    async go(provider: 'github' | 'google' | 'oidc') {
      const { url } = await start.mutateAsync({ provider });
      window.location.assign(url);
    },
  };
}

function describeReauthError(error: unknown, withPassword: boolean): string {
  if (!withPassword) return describePasskeyError(error, 'sign-in');
  if (getFailureReason(error) === 'INVALID_CREDENTIALS') return 'That password is not right. Try again.';
  if (getFailureReason(error) === 'INVALID_CODE')
    return 'That code is not right or was already used. Try the newest one.';
  return describeAuthError(error, 'sign-in').message;
}
