import { getFailureReason } from '@tessera/auth-client';
import { type ReactNode, useState } from 'react';
import { ReauthDialog } from '../components/reauth-dialog';

/**
 * Step-up for a section's sensitive changes: when the server refuses one with `REAUTH_REQUIRED`,
 * `refused` opens the proof dialog and, once it is proved, runs `retry` (the same change, so
 * nothing the user entered is lost). Render `dialog` in the section.
 *
 * @example
 * const stepUp = useStepUp();
 * try { await remove(); } catch (error) { if (!stepUp.refused(error, 'remove a passkey', remove)) fail(error); }
 * return <section>…{stepUp.dialog}</section>;
 */
export function useStepUp(): {
  /** True when `error` asked for a fresh proof (the dialog is now open); false for any other error. */
  refused(error: unknown, purpose: string, retry: () => void): boolean;
  dialog: ReactNode;
} {
  const [asking, setAsking] = useState<{ purpose: string; retry: () => void } | null>(null);
  return {
    refused(error, purpose, retry) {
      if (getFailureReason(error) !== 'REAUTH_REQUIRED') return false;
      setAsking({ purpose, retry });
      return true;
    },
    dialog:
      asking === null ? null : (
        <ReauthDialog
          purpose={asking.purpose}
          onProved={() => {
            setAsking(null);
            asking.retry();
          }}
          onCancel={() => setAsking(null)}
        />
      ),
  };
}
