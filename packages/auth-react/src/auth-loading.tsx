/**
 * The neutral placeholder shown while the session is being restored: it says nothing about
 * being signed in or out, so a reload never flashes the wrong page. Style it with the
 * `tessera-auth-loading` class, or pass your own `fallback` to the guards.
 *
 * @example
 * <RequireAuth anonymous={<Navigate to="/sign-in" />} fallback={<AuthLoading />}>…</RequireAuth>
 */
export function AuthLoading() {
  return (
    <div className="tessera-auth-loading" role="status" aria-busy="true" aria-live="polite">
      Loading…
    </div>
  );
}
