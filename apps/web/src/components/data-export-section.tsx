import { useState } from 'react';
import { saveFile } from '../lib/save-file';
import { useStepUp } from '../lib/use-step-up';
import { trpcClient } from '../trpc';
import { FormAlert } from './form-alert';
import { OutcomeNotice } from './outcome-notice';

type Download = 'idle' | 'pending' | 'done' | 'failed';

/**
 * The Account page's "Download my data": everything kept about the account (sessions, activity,
 * passkeys, connected accounts, notes) as one JSON file, after a fresh proof. Read straight from
 * the API, not through the query cache, so the file's contents are not kept in the page.
 */
export function DataExportSection() {
  const [state, setState] = useState<Download>('idle');
  const stepUp = useStepUp();

  const download = async () => {
    setState('pending');
    try {
      const data = await trpcClient.auth.account.export.query();
      const day = new Date(data.exportedAt).toISOString().slice(0, 10);
      saveFile(`tessera-data-${day}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json');
      setState('done');
    } catch (error) {
      setState(stepUp.refused(error, 'download your data', () => void download()) ? 'idle' : 'failed');
    }
  };

  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title" className="section-title">
        Your data
      </h2>
      <p className="section-hint">
        One file with your account, devices, activity, passkeys, connected accounts and notes. It holds no password or
        key.
      </p>
      {state === 'done' ? <OutcomeNotice message="Your data was downloaded." /> : null}
      {state === 'failed' ? <FormAlert message="Your data could not be downloaded. Please try again." /> : null}
      <button
        type="button"
        className="button button-secondary"
        disabled={state === 'pending'}
        aria-busy={state === 'pending'}
        onClick={() => void download()}
      >
        Download my data
      </button>
      {stepUp.dialog}
    </section>
  );
}
