/** Why a sign-in (or a connection) through a provider was refused, as the server names it in `?provider_error=`. */
const SENTENCES: Record<string, string> = {
  cancelled: 'Signing in with the provider was cancelled. Try again, or sign in another way.',
  state: 'That sign-in expired or was finished in another browser. Please start it again here.',
  provider: 'The provider could not confirm who you are. Please try again, or sign in another way.',
  email_taken:
    'An account with this email already exists. Sign in with your password or a passkey, then connect the provider on your Account page.',
  no_verified_email:
    'The provider did not confirm an email address for you, so no account was made. Confirm your email there, or sign up with a password.',
  two_factor:
    'Your account uses two-step verification: confirm it is you with your password and a code, or with a passkey.',
  taken: 'That provider account is already connected to another Tessera account.',
  session_ended: 'Your session ended before the provider answered. Sign in and try again.',
  rate_limited: 'Too many sign-in attempts from this network. Wait a few minutes and try again.',
  not_linked:
    'That provider account is not the one connected to yours. Confirm with the connected account, your password or a passkey.',
};

/**
 * The sentence for the `provider_error` the server sent the browser back with, or null when
 * there is none (or one this page does not know: never text from the address bar).
 *
 * @example
 * describeProviderError('?provider_error=email_taken'); // 'An account with this email already exists. …'
 */
export function describeProviderError(search: string): string | null {
  const reason = new URLSearchParams(search).get('provider_error');
  return reason !== null && Object.hasOwn(SENTENCES, reason) ? (SENTENCES[reason] ?? null) : null;
}
