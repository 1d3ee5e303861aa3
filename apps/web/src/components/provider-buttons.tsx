import type { IdentityProviderOption } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { useEffect, useState } from 'react';

/**
 * "Continue with <provider>" for each provider the server offers (none configured: nothing). A
 * click asks the server for the provider's address (binding the request to this browser) and
 * goes there; the provider sends the browser back to the server, which signs in and returns it
 * to the app.
 */
export function ProviderButtons() {
  const { identityProviders, providerSignInUrl } = useAuth();
  const [options, setOptions] = useState<IdentityProviderOption[]>([]);
  const [leaving, setLeaving] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(null);
  useEffect(() => {
    let current = true;
    // Without the list the page still signs in by password and passkey: a failure shows no buttons.
    identityProviders().then(
      (offered) => current && setOptions(offered),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [identityProviders]);

  if (options.length === 0) return null;
  const go = async (option: IdentityProviderOption) => {
    setLeaving(option.provider);
    setProblem(null);
    try {
      window.location.assign(await providerSignInUrl(option.provider));
    } catch {
      setLeaving(null);
      setProblem((last) => ({
        message: `${option.name} cannot be reached right now. Try again, or sign in another way.`,
        attempt: (last?.attempt ?? 0) + 1,
      }));
    }
  };

  return (
    <div className="provider-buttons">
      {options.map((option) => (
        <button
          key={option.provider}
          type="button"
          className="button button-secondary"
          disabled={leaving !== null}
          aria-busy={leaving === option.provider}
          onClick={() => void go(option)}
        >
          Continue with {option.name}
        </button>
      ))}
      {problem === null ? null : (
        <p key={problem.attempt} className="alert alert-below" role="alert">
          {problem.message}
        </p>
      )}
    </div>
  );
}
