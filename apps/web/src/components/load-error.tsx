/**
 * A list that could not be loaded: says so, in place of the loading text, with a way to try
 * again. Announced once (`role="alert"`).
 */
export function LoadError({ what, onRetry }: { what: string; onRetry: () => void }) {
  return (
    <div className="notice" role="alert">
      {what} could not be loaded.{' '}
      <button type="button" className="button-link" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
