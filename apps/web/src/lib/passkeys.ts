import type { RegistrationResponseJSON } from '@simplewebauthn/browser';
import { getErrorCode, type PasskeyCeremony } from '@tessera/auth-client';
import type { RouterOutputs } from '@tessera/server';
import { isTRPCClientError } from '@trpc/client';
import { describeAuthError } from './describe-auth-error';

type RegistrationOptions = RouterOutputs['auth']['passkeys']['registrationOptions'];

type WebAuthnModule = typeof import('@simplewebauthn/browser');

/** The module once loaded: cancelling needs it only if a request could have been made. */
let loaded: WebAuthnModule | null = null;

/**
 * The browser's WebAuthn calls, through `@simplewebauthn/browser`, loaded only when a passkey is
 * about to be used: pages that never touch one do not carry it.
 */
async function webAuthn(): Promise<WebAuthnModule> {
  loaded ??= await import('@simplewebauthn/browser');
  return loaded;
}

/** Thrown in place of a request this page chose not to make (a newer one took its place). */
export function supersededRequest(): Error {
  return Object.assign(new Error("A newer passkey request took this one's place."), { code: 'ERROR_CEREMONY_ABORTED' });
}

/**
 * The browser's passkey prompt for a sign-in challenge. With `autofill`, no prompt: the browser
 * offers this site's passkeys as suggestions of the field marked `autocomplete="… webauthn"`,
 * and the promise settles when the user picks one (or never, until `cancelPasskeyPrompt`).
 */
export function passkeyPrompt(options: { autofill: boolean }): PasskeyCeremony {
  return async (optionsJSON) => {
    const { startAuthentication } = await webAuthn();
    return startAuthentication({ optionsJSON, useBrowserAutofill: options.autofill });
  };
}

/** Whether the browser can suggest passkeys in a field (conditional mediation). */
export async function canSuggestPasskeys(): Promise<boolean> {
  const { browserSupportsWebAuthnAutofill } = await webAuthn();
  return browserSupportsWebAuthnAutofill();
}

/** Ends a pending passkey request (the page is leaving, or a fresh challenge replaces it), if any was made. */
export function cancelPasskeyPrompt(): void {
  loaded?.WebAuthnAbortService.cancelCeremony();
}

/**
 * Creates a passkey for the signed-in account: the server's options in, the browser's new
 * credential out.
 */
export async function createPasskey(optionsJSON: RegistrationOptions): Promise<RegistrationResponseJSON> {
  const { startRegistration } = await webAuthn();
  return startRegistration({ optionsJSON });
}

/** A request this page cancelled itself: nothing to tell the user. */
export function isCancelledByPage(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ERROR_CEREMONY_ABORTED';
}

/**
 * What went wrong with a passkey, as a sentence a person can act on; never a stack or a code.
 * The browser reports a closed prompt, a timeout and "no passkey for this site" alike
 * (NotAllowedError, deliberately, so sites cannot probe for passkeys): one sentence covers them.
 *
 * @example
 * describePasskeyError(new DOMException('…', 'NotAllowedError'), 'sign-in');
 * // 'No passkey was used. If you have not added one for this site, sign in with your email and password.'
 */
export function describePasskeyError(error: unknown, during: 'sign-in' | 'add'): string {
  if (isTRPCClientError(error)) {
    const code = getErrorCode(error);
    // The server's passkey messages are written for people (what happened, what to do next).
    if (code === 'UNAUTHORIZED' || code === 'PRECONDITION_FAILED' || code === 'CONFLICT' || code === 'NOT_FOUND') {
      return error.message;
    }
    if (code === 'BAD_REQUEST' && !('fieldErrors' in (error.data ?? {}))) return error.message;
    return describeAuthError(error, during === 'sign-in' ? 'sign-in' : 'change-password').message;
  }
  const name = error instanceof Error ? error.name : '';
  const code = error instanceof Error && 'code' in error ? error.code : null;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return 'This device already has a passkey for your account.';
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return during === 'sign-in'
      ? 'No passkey was used. If you have not added one for this site, sign in with your email and password.'
      : 'No passkey was added: the prompt was closed or timed out. Try again when you are ready.';
  }
  if (name === 'SecurityError') return 'Passkeys do not work at this address. Open the site at its usual address.';
  if (name === 'NotSupportedError' || (error instanceof Error && error.message.includes('does not support WebAuthn'))) {
    return 'This browser does not support passkeys.';
  }
  return during === 'sign-in'
    ? 'Signing in with a passkey did not work. Try again, or sign in with your email and password.'
    : 'The passkey could not be added. Try again.';
}
