/**
 * Shown while the session is being restored. Neutral on purpose: it must look right both for
 * someone who turns out to be signed in and for someone who does not.
 */
export function LoadingScreen() {
  return (
    <div className="loading" role="status" aria-busy="true" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>Loading…</span>
    </div>
  );
}
