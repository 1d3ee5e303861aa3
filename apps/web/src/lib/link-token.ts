import { useEffect, useState } from 'react';

/**
 * The token a mailed link carries in its fragment (`#token=…`), read once, and then removed from
 * the address bar: it never reaches a server log or a Referer, and does not linger in history.
 * (The read is pure and the removal an effect, so React's development double renders cannot
 * lose the token.)
 *
 * @example
 * const token = useLinkToken(); // 'q3S1…' or null
 */
export function useLinkToken(): string | null {
  const [token] = useState(() => /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)?.[1] ?? null);
  useEffect(() => {
    if (window.location.hash === '') return;
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}`);
  }, []);
  return token;
}
