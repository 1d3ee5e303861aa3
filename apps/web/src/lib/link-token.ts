/**
 * The token a mailed link carries in its fragment (`#token=…`), taken once and then removed from
 * the address bar: it never reaches a server log or a Referer, and does not linger in history.
 *
 * @example
 * const token = takeLinkToken(); // 'q3S1…' or null
 */
export function takeLinkToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match === null) return null;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}`);
  return match[1] ?? null;
}
