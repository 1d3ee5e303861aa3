import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getFailureReason } from '@tessera/auth-client';
import { limits } from '@tessera/contract';
import { type FormEvent, useState } from 'react';
import { authClient } from '../auth-client';
import { describeAuthError } from '../lib/describe-auth-error';
import type { FormProblem } from '../lib/form-problem';
import { validateAuthenticatorCode } from '../lib/validate';
import { useTRPC } from '../trpc';
import { ConfirmDialog } from './confirm-dialog';
import { FormAlert } from './form-alert';
import { LoadError } from './load-error';
import { OutcomeNotice } from './outcome-notice';
import { ReauthDialog } from './reauth-dialog';
import { RecoveryCodes } from './recovery-codes';
import { SubmitButton } from './submit-button';
import { TextField } from './text-field';

/** Below this many unused recovery codes, the section asks for new ones. */
const RECOVERY_CODES_LOW = 3;

/** A secret being set up: typed or scanned into the app, then confirmed with a code. */
interface Enrolment {
  secret: string;
  /** The `otpauth://` URI as a QR code (an SVG data URL). */
  qrCode: string;
}

/** What a sensitive change asked for a fresh proof before it could run. */
type Guarded = 'setup' | 'disable' | 'regenerate';
const GUARDED_PURPOSE: Record<Guarded, string> = {
  setup: 'set up two-step verification',
  disable: 'turn off two-step verification',
  regenerate: 'make new recovery codes',
};

/** The `otpauth://` URI as an SVG QR code; the library loads with the setup, not with the page. */
async function qrCodeOf(uri: string): Promise<string> {
  const qrcode = await import('qrcode');
  const svg = await qrcode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The secret in groups of four, as people copy it into an app by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/**
 * The Account page's "Two-step verification": set it up (a QR code and the secret as text, then a
 * code from the app to confirm), the recovery codes shown once (copy, download), new codes, and
 * turning it off. Each change asks for a fresh proof first when the last one is old.
 */
export function TwoFactorSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.twoFactor.status.queryOptions());
  const setup = useMutation(trpc.auth.twoFactor.setup.mutationOptions());
  const confirm = useMutation(trpc.auth.twoFactor.confirm.mutationOptions());
  const disable = useMutation(trpc.auth.twoFactor.disable.mutationOptions());
  const regenerate = useMutation(trpc.auth.twoFactor.regenerateRecoveryCodes.mutationOptions());
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [codeProblem, setCodeProblem] = useState<FormProblem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(null);
  const [proving, setProving] = useState<Guarded | null>(null);
  const [turningOff, setTurningOff] = useState(false);

  /** The status, the activity and the user (its `twoFactorEnabled`) as they are now. */
  const changed = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.auth.twoFactor.status.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.auth.activity.list.queryKey() }),
      // The signed-in user as stored now (its `twoFactorEnabled`: the proof dialog asks for a code).
      authClient.refresh().catch(() => undefined),
    ]);
  /** A refused change: a fresh proof asked for and the change run again, or the reason said. */
  const refused = (error: unknown, change: Guarded) => {
    if (getFailureReason(error) === 'REAUTH_REQUIRED') {
      setProving(change);
      return;
    }
    setProblem((last) => ({
      message: describeAuthError(error, 'change-password').message,
      attempt: (last?.attempt ?? 0) + 1,
    }));
  };
  const startOver = () => {
    setOutcome(null);
    setProblem(null);
  };

  const begin = async () => {
    startOver();
    try {
      const { secret, uri } = await setup.mutateAsync();
      setEnrolment({ secret, qrCode: await qrCodeOf(uri) });
      setCode('');
      setCodeProblem(null);
    } catch (error) {
      refused(error, 'setup');
    }
  };

  const turnOn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const invalid = validateAuthenticatorCode(code);
    const fail = (next: FormProblem) => {
      setCodeProblem(next);
      setAttempt((n) => n + 1);
      document.getElementById('code')?.focus();
    };
    if (invalid !== null) return fail(invalid);
    setCodeProblem(null);
    try {
      const { recoveryCodes: codes } = await confirm.mutateAsync({ code: code.replace(/\s/g, '') });
      setEnrolment(null);
      setRecoveryCodes(codes);
      setOutcome('Two-step verification is on. Signing in now asks for a code from your app after your password.');
      await changed();
    } catch (error) {
      if (getFailureReason(error) === 'REAUTH_REQUIRED') return refused(error, 'setup');
      fail(describeAuthError(error, 'authenticator-code'));
    }
  };

  const newCodes = async () => {
    startOver();
    try {
      const { recoveryCodes: codes } = await regenerate.mutateAsync();
      setRecoveryCodes(codes);
      setOutcome('New recovery codes made. The old ones no longer work.');
      await changed();
    } catch (error) {
      refused(error, 'regenerate');
    }
  };

  const turnOff = async () => {
    setTurningOff(false);
    startOver();
    try {
      await disable.mutateAsync();
      setRecoveryCodes(null);
      setOutcome('Two-step verification is off. Signing in asks for your password only.');
      await changed();
    } catch (error) {
      refused(error, 'disable');
    }
  };

  const retry: Record<Guarded, () => Promise<void>> = { setup: begin, disable: turnOff, regenerate: newCodes };

  return (
    <section aria-labelledby="two-factor-title">
      <h2 id="two-factor-title" className="section-title">
        Two-step verification
      </h2>
      <p className="section-hint">
        After your password, sign-in also asks for a code from an authenticator app on your phone, so a stolen password
        is not enough.
      </p>
      {outcome === null ? null : <OutcomeNotice message={outcome} />}
      {recoveryCodes === null ? null : <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />}
      {status.isError ? (
        <LoadError what="Two-step verification" onRetry={() => void status.refetch()} />
      ) : status.data === undefined ? (
        <p className="loading" aria-busy="true">
          Loading…
        </p>
      ) : status.data.enabled ? (
        <>
          <p className="section-hint">
            <strong>On.</strong>{' '}
            {status.data.recoveryCodesLeft === 1
              ? '1 recovery code left.'
              : `${status.data.recoveryCodesLeft} recovery codes left.`}
          </p>
          {status.data.recoveryCodesLeft < RECOVERY_CODES_LOW ? (
            <p className="notice notice-warning" role="status">
              You have few recovery codes left. Make new ones so you can still sign in if you lose your phone.
            </p>
          ) : null}
          <div className="passkey-actions">
            <button type="button" className="button button-secondary" onClick={() => setTurningOff(true)}>
              Turn off
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={regenerate.isPending}
              aria-busy={regenerate.isPending}
              onClick={() => void newCodes()}
            >
              New recovery codes
            </button>
          </div>
        </>
      ) : enrolment === null ? (
        <div className="passkey-actions">
          <button
            type="button"
            className="button button-secondary"
            disabled={setup.isPending}
            aria-busy={setup.isPending}
            onClick={() => void begin()}
          >
            Set up two-step verification
          </button>
        </div>
      ) : (
        <form className="form two-factor-setup" onSubmit={(event) => void turnOn(event)} noValidate>
          <p className="section-hint">
            1. Scan this QR code with your authenticator app (such as Google Authenticator, Microsoft Authenticator or
            1Password), or type the key below into it.
          </p>
          <img
            className="qr-code"
            src={enrolment.qrCode}
            width={192}
            height={192}
            alt="QR code to add Tessera to your authenticator app. The same key is written below."
          />
          <p className="section-hint">
            Key: <code className="secret-key">{grouped(enrolment.secret)}</code>
          </p>
          <p className="section-hint">2. Enter the 6-digit code the app shows, to check it works.</p>
          <TextField
            name="code"
            label="Code from your authenticator app"
            type="text"
            autoComplete="one-time-code"
            inputMode="numeric"
            spellCheck={false}
            required
            maxLength={limits.totpCodeLength + 2}
            value={code}
            onChange={setCode}
            problem={codeProblem}
          />
          <SubmitButton pending={confirm.isPending}>Turn on</SubmitButton>
          {codeProblem === null ? null : <FormAlert key={attempt} message={codeProblem.message} />}
        </form>
      )}
      {problem === null ? null : (
        <p key={problem.attempt} className="alert alert-below" role="alert">
          {problem.message}
        </p>
      )}
      {proving === null ? null : (
        <ReauthDialog
          purpose={GUARDED_PURPOSE[proving]}
          onProved={() => {
            const change = proving;
            setProving(null);
            void retry[change]();
          }}
          onCancel={() => setProving(null)}
        />
      )}
      {turningOff ? (
        <ConfirmDialog
          title="Turn off two-step verification?"
          confirmLabel="Turn off"
          onConfirm={() => void turnOff()}
          onCancel={() => setTurningOff(false)}
        >
          Signing in will ask for your password only. Your recovery codes stop working.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
