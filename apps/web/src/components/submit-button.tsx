import type { ReactNode } from 'react';

/**
 * The form's primary button. Disabled while the request runs, so a double click cannot send
 * two sign-ins; its label stays the same so its accessible name never changes.
 */
export function SubmitButton({ pending, children }: { pending: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button button-primary" disabled={pending}>
      {pending ? <span className="spinner spinner-small" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}
