import { useAuth } from '@tessera/auth-react';
import { useEffect, useState } from 'react';

/** The server's answer, asked once per page load: it cannot change while the server runs. */
let asked: Promise<boolean> | null = null;

/**
 * Whether to offer passkeys: the server takes them (`auth.passkeys.available`; not when its
 * PUBLIC_ORIGIN is an IP address). `null` until it has said, so a page offers no button that
 * would only be refused, and says nothing about it either; if the question itself fails, they
 * are offered (and the server's answer, should it refuse, says why).
 *
 * @example
 * const passkeys = usePasskeysAvailable();
 * {passkeys === true ? <button>Sign in with a passkey</button> : null}
 */
export function usePasskeysAvailable(): boolean | null {
  const { passkeysAvailable } = useAuth();
  const [available, setAvailable] = useState<boolean | null>(null);
  useEffect(() => {
    let current = true;
    asked ??= passkeysAvailable().catch(() => true);
    void asked.then((answer) => current && setAvailable(answer));
    return () => {
      current = false;
    };
  }, [passkeysAvailable]);
  return available;
}
