import { AuthCard } from '../components/auth-card';

/**
 * Replaces the router's developer-facing default when rendering throws: a plain apology and a
 * way to start over, no stack trace.
 */
export function ErrorPage() {
  return (
    <main className="page">
      <AuthCard title="Something went wrong" subtitle="The page could not be shown. Reloading usually helps.">
        <button type="button" className="button button-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </AuthCard>
    </main>
  );
}
